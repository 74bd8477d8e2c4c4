#include "verbs.h"

#include <ctime>
#include <iostream>

#include "admin/admin.h"
#include "auth/authdb.h"
#include "auth/limiter.h"
#include "cli/cli.h"
#include "common/testenv.h"
#include "util/exec.h"
#include "util/json.h"
#include "util/timefmt.h"

namespace moxconfig {
namespace {

constexpr const char* kProg = "mox-config";

std::string cfg_path(const Args& a) { return mox::config::default_config_path(a.config); }

mox::Result<mox::admin::ConfigPtr> load(const Args& a) {
  return mox::admin::load_and_recover(cfg_path(a));
}

int done(const mox::Status& s) { return s ? 0 : mox::fail(kProg, s.error()); }

}  // namespace

int quickstart(const Args& a) {
  mox::admin::QuickstartOptions o;
  o.dir = a.dir.empty() ? "." : a.dir;
  o.hostname = a.hostname;
  o.user = a.user;
  o.local = a.local;
  auto r = mox::admin::quickstart(a.pos.at(0), o);
  if (!r) return mox::fail(kProg, r.error());
  std::cout << "Config written to " << r->config_path << " (and domains.conf beside it).\n\n"
            << "Account " << r->account << " with address " << r->address << " created.\n"
            << "Password (generated, store it now): " << r->password << "\n\n"
            << "DNS records to add for the domain:\n\n"
            << r->dns_records;
  return 0;
}

int domain_add(const Args& a) {
  mox::admin::DomainAddOptions o{a.disabled, a.ed25519};
  std::string lp = a.pos.size() > 2 ? a.pos[2] : "";
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  return done(mox::admin::domain_add(cfg_path(a), a.pos.at(0), a.pos.at(1), lp, o));
}

int domain_rm(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::domain_rm(cfg_path(a), a.pos.at(0)));
}

int domain_disable(const Args& a, bool disabled) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::domain_set_disabled(cfg_path(a), a.pos.at(0), disabled));
}

int domain_list(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  for (const auto& [name, d] : (*c)->dynamic().domains) {
    if (a.json) {
      std::cout << mox::JsonObject().add("name", name).add("disabled", d.disabled).str() << "\n";
    } else {
      std::cout << name << (d.disabled ? "\t(disabled)" : "") << "\n";
    }
  }
  return 0;
}

int account_add(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::account_add(cfg_path(a), a.pos.at(0), a.pos.at(1)));
}

int account_rm(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::account_rm(cfg_path(a), a.pos.at(0)));
}

int account_list(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  for (const auto& [name, acc] : (*c)->dynamic().accounts) {
    if (a.json) {
      std::cout << mox::JsonObject()
                       .add("name", name)
                       .add("disabled", !acc.login_disabled.empty())
                       .add("loginDisabled", acc.login_disabled)
                       .add("domain", acc.domain)
                       .str()
                << "\n";
    } else {
      std::cout << name << (acc.login_disabled.empty() ? "" : "\t(disabled)") << "\n";
    }
  }
  return 0;
}

int account_addresses(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  const auto* acc = (*c)->account(a.pos.at(0));
  if (!acc) return mox::fail(kProg, mox::user_error("account \"" + a.pos[0] + "\" does not exist"));
  for (const auto& [addr, dest] : acc->destinations) {
    std::string mb = dest.mailbox.empty() ? "Inbox" : dest.mailbox;
    if (a.json) {
      std::cout << mox::JsonObject().add("address", addr).add("mailbox", mb).str() << "\n";
    } else {
      std::cout << addr << "\n";
    }
  }
  return 0;
}

int account_disable(const Args& a) {
  if (a.pos.at(1).empty()) {
    return mox::fail(kProg, mox::user_error("message for disabled account cannot be empty"));
  }
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::account_set_login_disabled(cfg_path(a), a.pos.at(0), a.pos.at(1)));
}

int account_enable(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::account_set_login_disabled(cfg_path(a), a.pos.at(0), ""));
}

int account_password(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  auto pw = mox::read_secret_line("new password: ");
  if (!pw) return mox::fail(kProg, pw.error());
  return done(mox::admin::account_set_password(cfg_path(a), a.pos.at(0), *pw));
}

int account_genpassword(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  auto pw = mox::admin::account_generate_password(cfg_path(a), a.pos.at(0));
  if (!pw) return mox::fail(kProg, pw.error());
  std::cout << *pw << "\n";
  return 0;
}

int address_add(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::address_add(cfg_path(a), a.pos.at(0), a.pos.at(1)));
}

int address_rm(const Args& a) {
  if (auto c = load(a); !c) return mox::fail(kProg, c.error());
  return done(mox::admin::address_rm(cfg_path(a), a.pos.at(0)));
}

int address_account(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  auto r = mox::admin::address_account(**c, a.pos.at(0));
  if (!r) return mox::fail(kProg, r.error());
  std::cout << *r << "\n";
  return 0;
}

int dnsrecords(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  auto r = mox::admin::dns_records(**c, a.pos.at(0));
  if (!r) return mox::fail(kProg, r.error());
  std::cout << *r;
  return 0;
}

int test(const Args& a) {
  auto c = mox::config::Config::load(cfg_path(a));
  if (!c) return mox::fail(kProg, c.error());
  auto problems = mox::admin::check_files(**c);
  for (const auto& p : problems) std::cerr << kProg << ": " << p << "\n";
  if (!problems.empty()) return mox::kExitUserError;
  std::cout << "config OK\n";
  return 0;
}

int loginattempts(const Args& a) {
  auto c = load(a);
  if (!c) return mox::fail(kProg, c.error());
  auto db = mox::auth::open_auth_db((*c)->data_dir());
  if (!db) return mox::fail(kProg, db.error());
  std::string account = a.pos.empty() ? "" : a.pos[0];
  auto list = mox::auth::list_login_attempts(*db, account, a.all ? 0 : 10);
  if (!list) return mox::fail(kProg, list.error());
  if (!a.json) {
    std::cout
        << "time\tcount\taccount\taddress\tprotocol\tmechanism\tremote\ttls\tuseragent\tresult\n";
  }
  for (const auto& l : *list) {
    if (a.json) {
      std::cout << mox::JsonObject()
                       .add("last", mox::rfc3339_utc(l.last))
                       .add("first", mox::rfc3339_utc(l.first))
                       .add("count", l.count)
                       .add("account", l.account_name)
                       .add("loginAddress", l.login_address)
                       .add("protocol", l.protocol)
                       .add("authMech", l.auth_mech)
                       .add("remoteIP", l.remote_ip)
                       .add("localIP", l.local_ip)
                       .add("tls", l.tls)
                       .add("tlsPubKeyFingerprint", l.tls_pubkey_fingerprint)
                       .add("userAgent", l.user_agent)
                       .add("result", l.result)
                       .str()
                << "\n";
    } else {
      std::cout << mox::rfc3339_utc(l.last) << "\t" << l.count << "\t" << l.account_name << "\t"
                << l.login_address << "\t" << l.protocol << "\t" << l.auth_mech << "\t"
                << l.remote_ip << "\t" << l.tls << "\t" << l.user_agent << "\t" << l.result << "\n";
    }
  }
  return 0;
}

int cleanup(const Args& a) {
  auto c = load(a);  // completes pending account removals
  if (!c) return mox::fail(kProg, c.error());
  auto db = mox::auth::open_auth_db((*c)->data_dir());
  if (!db) return mox::fail(kProg, db.error());
  int64_t now = std::time(nullptr);
  int64_t max_failed =
      moxcmd::max_failed_login_attempts().value_or(mox::auth::kMaxFailedLoginAttempts);
  auto n = mox::auth::cleanup_login_attempts(*db, now - 30 * 24 * 3600, max_failed);
  if (!n) return mox::fail(kProg, n.error());
  auto f = mox::auth::prune_auth_failures(*db, now);
  if (!f) return mox::fail(kProg, f.error());
  std::cout << "removed " << *n << " login attempts (older than 30 days, or over " << max_failed
            << " failed per account), " << *f << " expired auth failures\n";
  auto files = mox::admin::remove_orphan_message_files(**c);
  if (!files) return mox::fail(kProg, files.error());
  std::cout << "removed " << *files << " message files without a message\n";
  return 0;
}

int tlspubkey(const std::vector<std::string>& global, int argc, char** argv) {
  auto p = mox::find_program("mox-tlspubkey");
  if (!p) return mox::fail(kProg, p.error());
  std::vector<std::string> args = global;
  for (int i = 0; i < argc; ++i) args.emplace_back(argv[i]);
  return mox::fail(kProg, mox::exec_program(*p, args));
}

}  // namespace moxconfig
