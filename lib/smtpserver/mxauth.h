// What the checks of incoming mail's origin (mailauth/mailauth.h) need in
// one mox-smtpd process: the resolver of mox.conf's DNS section and the
// Public Suffix List (RFC 7489 §3.2, Debian's publicsuffix package), made
// when the first message needs them (a connection that only says EHLO and
// QUIT pays nothing for them) and shared by the process's sessions.
// Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/cache.h"
#include "dkim/keycache.h"
#include "dmarc/publicsuffix.h"
#include "dns/resolver.h"
#include "mailauth/mailauth.h"
#include "util/mutex.h"
#include "util/result.h"
#include "util/taskpool.h"

namespace mox::smtpserver {

class MxAuth {
 public:
  // `cache` gives the current configuration (for our own domains); borrowed,
  // must outlive this. `psl_path`: the Public Suffix List file.
  MxAuth(config::ConfigCache* cache, std::string hostname,
         std::string psl_path = dmarc::PublicSuffixList::kDefaultPath);
  // The environment of the checks, made on the first call; an error (kUser:
  // an unreadable list, bad name server settings) again on every call.
  Result<const mailauth::Env*> env() EXCLUDES(mu_);

 private:
  config::ConfigCache* cache_;
  std::string psl_path_;
  Mutex mu_;
  bool ready_ GUARDED_BY(mu_) = false;
  std::unique_ptr<dns::Resolver> resolver_ GUARDED_BY(mu_);
  std::optional<dmarc::PublicSuffixList> psl_ GUARDED_BY(mu_);
  dkim::KeyCache key_cache_;
  // Completed under mu_ by the first env(); only read once ready_.
  mailauth::Env env_ GUARDED_BY(mu_);
  // Last: destroyed first, waiting for checks that use the members above.
  TaskPool pool_;
};

}  // namespace mox::smtpserver
