#include "config/config.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>

#include "util/fs.h"

namespace mox::config {
namespace fs = std::filesystem;

namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

Error cfg_error(const std::string& file, std::string_view msg) {
  return syntax_error(file + ": " + std::string(msg));
}

bool reporting_prefix(const std::optional<ReportingAddress>& r, const Domain& d,
                      std::string_view lp) {
  if (!r) return false;
  std::string rl = d.localpart_case_sensitive ? r->localpart : ascii_lower(r->localpart);
  if (lp.substr(0, rl.size()) != rl) return false;
  std::string_view rest = lp.substr(rl.size());
  if (rest.empty()) return true;
  for (const auto& sep : d.localpart_catchall_separators_effective) {
    if (rest.substr(0, sep.size()) == sep) return true;
  }
  return false;
}

}  // namespace

std::string canonical_localpart(const Domain& d, std::string_view localpart) {
  std::string lp = d.localpart_case_sensitive ? std::string(localpart) : ascii_lower(localpart);
  // Legacy reporting localparts may contain a separator (domains.conf(5)
  // LocalpartCatchallSeparators).
  if (reporting_prefix(d.dmarc, d, lp)) {
    return d.localpart_case_sensitive ? d.dmarc->localpart : ascii_lower(d.dmarc->localpart);
  }
  if (reporting_prefix(d.tlsrpt, d, lp)) {
    return d.localpart_case_sensitive ? d.tlsrpt->localpart : ascii_lower(d.tlsrpt->localpart);
  }
  for (const auto& sep : d.localpart_catchall_separators_effective) {
    size_t i = lp.find(sep);
    if (i != std::string::npos) lp.resize(i);
  }
  return lp;
}

std::string canonical_address(const Domain& d, std::string_view localpart,
                              std::string_view domain) {
  auto lp = smtp::Localpart::from_value(canonical_localpart(d, localpart));
  std::string wire = lp ? lp->wire() : std::string(localpart);
  return wire + "@" + std::string(domain);
}

Result<Static> parse_static(std::string_view text, const std::string& file) {
  MOX_ASSIGN(Node root, parse_sconf(text, file));
  Static st;
  MOX_TRY(static_schema().decode(root, st, DecodeCtx{file, ""}));
  return st;
}

Result<Dynamic> parse_dynamic(std::string_view text, const std::string& file) {
  MOX_ASSIGN(Node root, parse_sconf(text, file));
  Dynamic dyn;
  MOX_TRY(dynamic_schema().decode(root, dyn, DecodeCtx{file, ""}));
  return dyn;
}

Result<std::string> write_static(const Static& st) {
  return write_sconf(static_schema().encode(st));
}

Result<std::string> write_dynamic(const Dynamic& dyn) {
  return write_sconf(dynamic_schema().encode(dyn));
}

namespace {

using ConfigPtr = std::shared_ptr<const Config>;

// Writes `file`'s text for `c` with `write`, loads it back with `reload`
// (parse and Config::make) and writes that again: both texts must be equal.
Result<std::string> read_back(const Config& c, const std::string& file,
                              Result<std::string> (*write)(const Config&),
                              const std::function<Result<ConfigPtr>(const std::string&)>& reload) {
  auto text = write(c);
  if (!text) return user_error(file + ": " + text.error().message);
  auto again = reload(*text);
  if (!again) {
    return internal_error(file + ": new contents do not read back: " + again.error().message);
  }
  auto text2 = write(**again);
  if (!text2 || *text2 != *text) {
    return internal_error(file + ": new contents do not read back as written");
  }
  return text;
}

}  // namespace

Result<std::string> checked_static_text(const Config& c) {
  return read_back(
      c, c.static_path(), [](const Config& x) { return write_static(x.static_config()); },
      [&c](const std::string& text) -> Result<ConfigPtr> {
        MOX_ASSIGN(Static st, parse_static(text, c.static_path()));
        return Config::make(c.static_path(), std::move(st), c.dynamic());
      });
}

Result<std::string> checked_dynamic_text(const Config& c) {
  return read_back(
      c, c.dynamic_path(), [](const Config& x) { return write_dynamic(x.dynamic()); },
      [&c](const std::string& text) -> Result<ConfigPtr> {
        MOX_ASSIGN(Dynamic dyn, parse_dynamic(text, c.dynamic_path()));
        return Config::make(c.static_path(), c.static_config(), std::move(dyn));
      });
}

std::string default_config_path(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* e = std::getenv("MOX_CONFIG"); e && *e) return e;
  return "config/mox.conf";
}

Result<std::shared_ptr<const Config>> Config::load(const std::string& static_path) {
  MOX_ASSIGN(std::string stext, read_file(static_path));
  MOX_ASSIGN(Static st, parse_static(stext, static_path));
  std::string dyn_path = (fs::path(static_path).parent_path() / "domains.conf").string();
  MOX_ASSIGN(std::string dtext, read_file(dyn_path));
  MOX_ASSIGN(Dynamic dyn, parse_dynamic(dtext, dyn_path));
  return make(static_path, std::move(st), std::move(dyn));
}

Result<std::shared_ptr<const Config>> Config::make(const std::string& static_path, Static st,
                                                   Dynamic dyn) {
  std::shared_ptr<Config> c(new Config());
  c->static_path_ = static_path;
  fs::path dir = fs::path(static_path).parent_path();
  if (dir.empty()) dir = ".";
  c->config_dir_ = dir.string();
  c->dynamic_path_ = (dir / "domains.conf").string();
  fs::path data = st.data_dir;
  c->data_dir_ = (data.is_absolute() ? data : dir / data).lexically_normal().string();
  // Run every per-struct check of the schemas also on configs built in
  // memory (admin changes), so nothing is written that could not be read.
  Static st2;
  MOX_TRY(static_schema().decode(static_schema().encode(st), st2, DecodeCtx{}));
  Dynamic dyn2;
  MOX_TRY(dynamic_schema().decode(dynamic_schema().encode(dyn), dyn2, DecodeCtx{}));
  c->st_ = std::move(st2);
  c->dyn_ = std::move(dyn2);
  MOX_TRY(c->finish());
  return std::shared_ptr<const Config>(std::move(c));
}

std::string Config::config_path(const std::string& p) const {
  fs::path f = p;
  return (f.is_absolute() ? f : fs::path(config_dir_) / f).string();
}

std::string Config::account_dir(const std::string& account) const {
  return (fs::path(data_dir_) / "accounts" / account).string();
}

const Domain* Config::domain(std::string_view name) const {
  auto it = dyn_.domains.find(std::string(name));
  return it == dyn_.domains.end() ? nullptr : &it->second;
}

const Account* Config::account(std::string_view name) const {
  auto it = dyn_.accounts.find(std::string(name));
  return it == dyn_.accounts.end() ? nullptr : &it->second;
}

int64_t Config::quota_message_size(std::string_view account) const {
  const Account* a = this->account(account);
  int64_t q = a ? a->quota_message_size : 0;
  if (q == 0) q = st_.quota_message_size;  // the account sets none: the default
  return q > 0 ? q : 0;                    // -1: no limit, whatever the default
}

// Cross-checks between fields, which the per-struct checks cannot see.
Status Config::finish() {
  const std::string& df = dynamic_path_;
  for (auto& [name, d] : dyn_.domains) {
    auto pd = smtp::Domain::parse(name);
    if (!pd) return cfg_error(df, "domain \"" + name + "\": " + pd.error().message);
    if (pd->str() != name) {
      return cfg_error(df, "domain \"" + name + "\" must be written as \"" + pd->str() + "\"");
    }
    for (const auto* r : {&d.dmarc, &d.tlsrpt}) {
      if (*r && !dyn_.accounts.count((*r)->account)) {
        return cfg_error(
            df, "domain " + name + ": reporting account \"" + (*r)->account + "\" does not exist");
      }
    }
  }
  if (!dyn_.accounts.count(st_.postmaster.account)) {
    return cfg_error(static_path_,
                     "Postmaster.Account \"" + st_.postmaster.account + "\" does not exist");
  }
  for (auto& [name, a] : dyn_.accounts) {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
        name.find('\\') != std::string::npos) {
      return cfg_error(df, "account name \"" + name + "\" is not valid");
    }
    if (!dyn_.domains.count(a.domain)) {
      return cfg_error(df, "account " + name + ": domain \"" + a.domain + "\" not configured");
    }
    for (const auto& [addr, dest] : a.destinations) {
      std::string where = "account " + name + ": address \"" + addr + "\": ";
      std::string key;
      if (!addr.empty() && addr[0] == '@') {
        auto d = smtp::Domain::parse(addr.substr(1));
        if (!d) return cfg_error(df, where + d.error().message);
        if (!dyn_.domains.count(d->str())) return cfg_error(df, where + "domain not configured");
        key = "@" + d->str();
      } else {
        auto pa = smtp::Address::parse(addr);
        if (!pa) return cfg_error(df, where + pa.error().message);
        const Domain* d = domain(pa->domain().str());
        if (!d) return cfg_error(df, where + "domain not configured");
        for (const auto& sep : d->localpart_catchall_separators_effective) {
          if (pa->localpart().value().find(sep) != std::string::npos) {
            return cfg_error(df, where + "localpart contains catchall separator \"" + sep + "\"");
          }
        }
        key = canonical_address(*d, pa->localpart().value(), pa->domain().str());
      }
      auto [it, inserted] =
          address_account_.emplace(key, Dest{name, dest.mailbox.empty() ? "Inbox" : dest.mailbox});
      if (!inserted) {
        return cfg_error(df, where + "already configured for account " + it->second.account);
      }
    }
  }
  // Reporting addresses receive mail like destinations (explicit ones win).
  for (const auto& [name, d] : dyn_.domains) {
    for (const auto* r : {&d.dmarc, &d.tlsrpt}) {
      if (!*r) continue;
      std::string rd = (*r)->domain.empty() ? name : (*r)->domain;
      address_account_.emplace(canonical_address(d, (*r)->localpart, rd),
                               Dest{(*r)->account, (*r)->mailbox});
    }
  }
  return {};
}

LookupResult Lookup::address(const smtp::Address& a, bool check_domain_disabled,
                             bool allow_postmaster) const {
  LookupResult r;
  const Domain* d = c_.domain(a.domain().str());
  if (!d) {
    r.status = LookupResult::Status::kDomainUnknown;
    return r;
  }
  if (check_domain_disabled && d->disabled) {
    r.status = LookupResult::Status::kDomainDisabled;
    return r;
  }
  auto fill = [&](const std::string& key) {
    auto it = c_.address_account_.find(key);
    if (it == c_.address_account_.end()) return false;
    r.status = LookupResult::Status::kFound;
    r.account = it->second.account;
    r.canonical = key;
    r.mailbox = it->second.mailbox;
    return true;
  };
  if (fill(canonical_address(*d, a.localpart().value(), a.domain().str()))) return r;
  if (fill("@" + a.domain().str())) return r;
  if (allow_postmaster && ascii_lower(a.localpart().value()) == "postmaster") {
    const auto& pm = c_.st_.postmaster;
    r.status = LookupResult::Status::kFound;
    r.account = pm.account;
    r.canonical = "postmaster@" + a.domain().str();
    r.mailbox = pm.mailbox.empty() ? "Inbox" : pm.mailbox;
    return r;
  }
  r.status = LookupResult::Status::kNotFound;
  return r;
}

std::vector<std::string> Lookup::account_addresses(const std::string& account) const {
  std::vector<std::string> out;
  if (const Account* a = c_.account(account)) {
    for (const auto& [addr, dest] : a->destinations) out.push_back(addr);
  }
  return out;
}

}  // namespace mox::config
