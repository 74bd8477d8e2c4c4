#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "admin/admin.h"
#include "admin/internal.h"
#include "admin/names.h"
#include "auth/authdb.h"
#include "auth/tlspubkey.h"
#include "crypto/keys.h"
#include "smtp/address.h"
#include "util/fs.h"

namespace mox::admin {
namespace fs = std::filesystem;

int current_year() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

namespace {

std::string timestamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  return buf;
}

struct NewKey {
  std::string selector, rel_path, abs_path;
};

// Generates one DKIM key file under config/dkim/ (domains.conf(5)
// "Domains.*.DKIM").
Result<NewKey> make_dkim_key(const std::string& config_dir, const std::string& domain,
                             const std::string& selector, bool ed25519) {
  MOX_ASSIGN(crypto::PKeyPtr key,
             ed25519 ? crypto::generate_ed25519() : crypto::generate_rsa(2048));
  std::string kind = ed25519 ? "ed25519" : "rsa2048";
  MOX_ASSIGN(std::string pem,
             crypto::private_key_pkcs8_pem(key.get(), "DKIM private key (" + kind + ") for " +
                                                          selector + "._domainkey." + domain));
  std::string name =
      selector + "._domainkey." + domain + "." + timestamp() + "." + kind + ".privatekey.pkcs8.pem";
  NewKey k{selector, "dkim/" + name, config_dir + "/dkim/" + name};
  MOX_TRY(mkdir_all(config_dir + "/dkim", 0770));
  MOX_TRY(crypto::write_file_exclusive(k.abs_path, pem, 0600));
  return k;
}

}  // namespace

// Creates the DKIM keys and the domain's config; the caller adds it.
Result<config::Domain> make_domain_config(const std::string& config_dir, const std::string& domain,
                                          const std::string& account, bool ed25519,
                                          std::vector<std::string>& created_files) {
  config::Domain d;
  d.client_settings_domain = "mail." + domain;
  d.localpart_catchall_separator = "+";
  d.dmarc = config::ReportingAddress{"dmarcreports", "", account, "DMARC"};
  d.tlsrpt = config::ReportingAddress{"tlsreports", "", account, "TLSRPT"};
  std::string year = std::to_string(current_year());
  std::vector<std::pair<std::string, bool>> selectors = {{year + "a", false}, {year + "b", false}};
  if (ed25519) selectors.emplace_back(year + "e", true);
  for (const auto& [sel, is_ed] : selectors) {
    MOX_ASSIGN(NewKey k, make_dkim_key(config_dir, domain, sel, is_ed));
    created_files.push_back(k.abs_path);
    config::DKIMSelector s;
    s.expiration = std::chrono::hours(72);
    s.private_key_file = k.rel_path;
    d.dkim.selectors[sel] = s;
  }
  // Only <year>a signs; <year>b is a pre-published spare for rotation.
  d.dkim.sign = {year + "a"};
  if (ed25519) d.dkim.sign.push_back(year + "e");
  return d;
}

Status check_new_account_dir(const config::Config& c, const std::string& account) {
  std::string dir = c.account_dir(account);
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0) {
    return user_error("account directory " + dir +
                      " already exists (pending removal or failed cleanup); remove it first");
  }
  if (errno != ENOENT) return internal_error("stat " + dir + ": " + std::strerror(errno));
  return {};
}

Status domain_add(const std::string& cfg, const std::string& domain, const std::string& account,
                  const std::string& localpart, const DomainAddOptions& opts) {
  MOX_ASSIGN(smtp::Domain d, smtp::Domain::parse(domain));
  MOX_TRY(check_domain_name(d.str()));
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  if (c->domain(d.str())) return user_error("domain \"" + d.str() + "\" already exists");
  bool new_account = c->account(account) == nullptr;
  if (new_account) MOX_TRY(AccountName::parse(account));
  if (new_account && localpart.empty()) {
    return user_error("account \"" + account + "\" does not exist; give a localpart to create it");
  }
  if (!new_account && !localpart.empty()) {
    return user_error("account \"" + account +
                      "\" already exists (leave out the localpart or choose a new account name)");
  }
  std::string address;
  if (new_account) {
    MOX_ASSIGN(smtp::Localpart lp, smtp::Localpart::parse(localpart));
    MOX_TRY(check_localpart(lp));
    if (lp.value().find('+') != std::string::npos) {
      return user_error("localpart \"" + localpart + "\" contains catchall separator \"+\"");
    }
    address = lp.wire() + "@" + d.str();
    MOX_TRY(check_new_account_dir(*c, account));  // docs/DESIGN.md "Differences from mox"
  }
  std::vector<std::string> created;
  auto dc = make_domain_config(c->config_dir(), d.str(), account, opts.ed25519, created);
  auto cleanup = [&] {
    for (const auto& f : created) ::unlink(f.c_str());
  };
  if (!dc) {
    cleanup();
    return std::move(dc).error();
  }
  dc->disabled = opts.disabled;
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    if (dyn.domains.count(d.str())) return user_error("domain \"" + d.str() + "\" already exists");
    if (new_account && dyn.accounts.count(account)) {
      return user_error("account \"" + account + "\" already exists");
    }
    dyn.domains[d.str()] = *dc;
    if (new_account) {
      config::Account a;
      a.domain = d.str();
      a.destinations[address] = {};
      a.no_custom_password = true;
      dyn.accounts[account] = a;
    }
    return {};
  });
  if (!r) {
    cleanup();
    return std::move(r).error();
  }
  return {};
}

Status domain_rm(const std::string& cfg, const std::string& domain) {
  MOX_ASSIGN(smtp::Domain d, smtp::Domain::parse(domain));
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  const config::Domain* dc = c->domain(d.str());
  if (!dc) return user_error("domain \"" + d.str() + "\" does not exist");
  // Refuse while a TLS public key logs in with an address there
  // (docs/DESIGN.md "Account removal").
  MOX_ASSIGN(db::Db adb, auth::open_auth_db(c->data_dir()));
  MOX_ASSIGN(auto keys, auth::list_tls_public_keys(adb, ""));
  for (const auto& k : keys) {
    auto a = smtp::Address::parse(k.login_address);
    if (a && a->domain() == d) {
      return user_error("domain \"" + d.str() +
                        "\" is used by the login address of TLS public key " + k.fingerprint +
                        "; remove the key first");
    }
  }
  config::Domain removed;
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    auto it = dyn.domains.find(d.str());
    if (it == dyn.domains.end()) return user_error("domain \"" + d.str() + "\" does not exist");
    for (const auto& [name, acc] : dyn.accounts) {
      if (acc.domain == d.str()) {
        return user_error("domain \"" + d.str() + "\" is the default domain of account \"" + name +
                          "\"; change or remove the account first");
      }
      for (const auto& [addr, dest] : acc.destinations) {
        auto at = addr.rfind('@');
        if (at != std::string::npos && addr.substr(at + 1) == d.str()) {
          return user_error("domain \"" + d.str() + "\" still has address \"" + addr +
                            "\" of account \"" + name + "\"; remove it first");
        }
      }
    }
    removed = it->second;
    dyn.domains.erase(it);
    return {};
  });
  if (!r) return std::move(r).error();
  // Keys of removed domains are kept in config/dkim/old/ (docs/DESIGN.md "Files
  // on disk").
  std::string old = c->config_path("dkim/old");
  MOX_TRY(mkdir_all(old, 0770));
  for (const auto& [sel, s] : removed.dkim.selectors) {
    std::string from = c->config_path(s.private_key_file);
    std::string to = old + "/" + fs::path(from).filename().string();
    ::rename(from.c_str(), to.c_str());
  }
  return {};
}

Status domain_set_disabled(const std::string& cfg, const std::string& domain, bool disabled) {
  MOX_ASSIGN(smtp::Domain d, smtp::Domain::parse(domain));
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    auto it = dyn.domains.find(d.str());
    if (it == dyn.domains.end()) return user_error("domain \"" + d.str() + "\" does not exist");
    it->second.disabled = disabled;
    return {};
  });
  if (!r) return std::move(r).error();
  return {};
}

}  // namespace mox::admin
