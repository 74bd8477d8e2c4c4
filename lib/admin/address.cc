#include "smtp/address.h"

#include "admin/admin.h"
#include "admin/internal.h"
#include "admin/names.h"
#include "auth/authdb.h"
#include "auth/tlspubkey.h"
#include "queue/queuedb.h"

namespace mox::admin {
namespace {

// A Destinations key for `address`: "@domain" for a catchall, else the
// normalised address.
struct Target {
  bool catchall = false;
  std::string domain;     // normalised
  std::string key;        // what is written in Destinations
  std::string localpart;  // unquoted; empty for a catchall
};

Result<Target> parse_target(const std::string& address) {
  Target t;
  if (!address.empty() && address[0] == '@') {
    MOX_ASSIGN(smtp::Domain d, smtp::Domain::parse(address.substr(1)));
    t.catchall = true;
    t.domain = d.str();
    t.key = "@" + d.str();
    return t;
  }
  MOX_ASSIGN(smtp::Address a, smtp::Address::parse(address));
  t.domain = a.domain().str();
  t.key = a.str();
  t.localpart = a.localpart().value();
  return t;
}

// The canonical form of a Destinations key, for comparisons.
std::string canonical_key(const config::Config& c, const std::string& key) {
  if (!key.empty() && key[0] == '@') return key;
  auto a = smtp::Address::parse(key);
  if (!a) return key;
  const config::Domain* d = c.domain(a->domain().str());
  if (!d) return key;
  return config::canonical_address(*d, a->localpart().value(), a->domain().str());
}

}  // namespace

Status address_add(const std::string& cfg, const std::string& address, const std::string& account) {
  MOX_ASSIGN(Target t, parse_target(address));
  MOX_TRY(check_address_key(t.key));
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  const config::Domain* d = c->domain(t.domain);
  if (!d) return user_error("domain \"" + t.domain + "\" does not exist");
  if (!c->account(account)) return user_error("account \"" + account + "\" does not exist");
  for (const auto& sep : d->localpart_catchall_separators_effective) {
    if (t.localpart.find(sep) != std::string::npos) {
      return user_error("localpart of \"" + address + "\" contains catchall separator \"" + sep +
                        "\"");
    }
  }
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    auto it = dyn.accounts.find(account);
    if (it == dyn.accounts.end()) return user_error("account \"" + account + "\" does not exist");
    std::string want = canonical_key(*c, t.key);
    for (const auto& [name, acc] : dyn.accounts) {
      for (const auto& [key, dest] : acc.destinations) {
        if (canonical_key(*c, key) == want) {
          return user_error("address \"" + address + "\" already exists (account \"" + name +
                            "\")");
        }
      }
    }
    it->second.destinations[t.key] = {};
    return {};
  });
  if (!r) return std::move(r).error();
  return {};
}

Status address_rm(const std::string& cfg, const std::string& address) {
  MOX_ASSIGN(Target t, parse_target(address));
  MOX_ASSIGN(ConfigPtr c, config::Config::load(cfg));
  std::string want = canonical_key(*c, t.key);
  std::string account, key;
  for (const auto& [name, acc] : c->dynamic().accounts) {
    for (const auto& [k, dest] : acc.destinations) {
      if (canonical_key(*c, k) == want) {
        account = name;
        key = k;
      }
    }
  }
  if (account.empty()) {
    return user_error("address \"" + address +
                      "\" does not exist (a postmaster or reporting address cannot be removed)");
  }
  const config::Domain* d = c->domain(t.domain);
  // Refuse while a TLS public key uses the address as login
  // (docs/DESIGN.md "Account removal").
  MOX_ASSIGN(db::Db adb, auth::open_auth_db(c->data_dir()));
  MOX_ASSIGN(auto keys, auth::list_tls_public_keys(adb, account));
  for (const auto& k : keys) {
    if (!t.catchall && canonical_key(*c, k.login_address) == want) {
      return user_error("address \"" + address + "\" is the login address of TLS public key " +
                        k.fingerprint + "; remove the key first");
    }
  }
  // Queued mail must still map to the account after the removal.
  MOX_ASSIGN(db::Db qdb, queue::open_queue_db(c->data_dir()));
  MOX_ASSIGN(auto senders, queue::queued_senders(qdb, account));
  config::Lookup lookup(*c);
  for (const auto& s : senders) {
    if (s.sender_domain != t.domain || !d) continue;
    std::string sender = config::canonical_address(*d, s.sender_localpart, s.sender_domain);
    bool ok = true;
    if (t.catchall) {
      // Every queued sender must be configured explicitly for the account.
      auto sa = smtp::Address::parse(s.sender_localpart + "@" + s.sender_domain);
      auto r = sa ? lookup.address(*sa, false) : config::LookupResult{};
      ok = r.status == config::LookupResult::Status::kFound && r.canonical != t.key &&
           r.account == account;
    } else if (sender == want) {
      auto it = c->dynamic().accounts.at(account).destinations.count("@" + t.domain);
      ok = it > 0;
    }
    if (!ok) {
      return user_error("queued message " + std::to_string(s.id) + " of account \"" + account +
                        "\" depends on address \"" + address + "\"; drop message from queue first");
    }
  }
  auto r = change_dynamic(cfg, [&](config::Dynamic& dyn) -> Status {
    auto it = dyn.accounts.find(account);
    if (it == dyn.accounts.end() || !it->second.destinations.erase(key)) {
      return user_error("address \"" + address + "\" does not exist");
    }
    return {};
  });
  if (!r) return std::move(r).error();
  return {};
}

Result<std::string> address_account(const config::Config& c, const std::string& address) {
  MOX_ASSIGN(smtp::Address a, smtp::Address::parse(address));
  auto r = config::Lookup(c).address(a, false, true);
  switch (r.status) {
    case config::LookupResult::Status::kFound:
      return r.account;
    case config::LookupResult::Status::kDomainUnknown:
      return user_error("domain \"" + a.domain().str() + "\" does not exist");
    default:
      return user_error("no account for address \"" + address + "\"");
  }
}

}  // namespace mox::admin
