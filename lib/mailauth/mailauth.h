// The checks of where an incoming message comes from, and what the MX does
// with their results: SPF (RFC 7208) of the MAIL FROM and HELO identities,
// DKIM (RFC 6376) of every signature, DMARC (RFC 7489) of the From domain,
// iprev (RFC 8601 §3) of the client address, combined into the
// Authentication-Results field (RFC 8601) and a Received-SPF field (RFC 7208
// §9.1) to prepend, the results to store with the message, and a decision:
// accept, refuse (the From domain's DMARC policy asks for it, or the message
// claims one of our own domains without passing DMARC), or try again later
// (the verdict depends on a DNS answer that failed for now).
//
// Checks of one SMTP connection: iprev once per connection, SPF as soon as
// MAIL FROM is known (while the client sends RCPT and DATA), DKIM and the
// DMARC record lookup side by side when the message is in. Each runs in its
// own thread (Env::pool, util/taskpool.h); none waits for another
// connection's checks. The resolver must be safe for concurrent use
// (dns/resolver.h).
//
// Used by mox-smtpd for the MX (smtpserver/delivery.cc) and by
// mox-dmarc verify, so that a verdict can be reproduced from the shell.
#pragma once

#include <functional>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authres/iprev.h"
#include "dkim/digest.h"
#include "dkim/verify.h"
#include "dmarc/evaluate.h"
#include "dmarc/publicsuffix.h"
#include "dns/resolver.h"
#include "message/header.h"
#include "spf/check.h"
#include "util/taskpool.h"

namespace mox::mailauth {

// What the checks need; borrowed, must outlive the Checks.
struct Env {
  dns::Resolver* resolver = nullptr;
  const dmarc::PublicSuffixList* psl = nullptr;
  std::string hostname;  // our host name: authserv-id (RFC 8601 §2.5), SPF %{r}
  // Is `domain` one of ours (a configured domain)? Mail from outside that
  // claims one in From must pass DMARC (our published policy is p=reject).
  std::function<bool(std::string_view domain)> ours;
  // The draw for DMARC pct= sampling, in [0, 100); default: random.
  std::function<int()> sample;
  dkim::VerifyOptions dkim;  // with a key cache (dkim/keycache.h) for a busy MX
  // Threads for the checks that run beside each other; null: a new thread
  // each (std::async).
  TaskPool* pool = nullptr;
};

// The results stored with the message (store/deliver.h MessageAuth), for
// reputation and junk filtering.
struct Results {
  std::string remote_ip, ehlo;
  std::string mail_from;         // "" for the null reverse path
  std::string mail_from_domain;  // or the HELO domain for the null reverse path
  std::string msg_from_domain, msg_from_org_domain;
  spf::Status spf = spf::Status::kNone;  // of the MAIL FROM identity
  spf::Status helo_spf = spf::Status::kNone;
  std::vector<std::string> dkim_domains;  // d= of each signature that passed
  dmarc::Status dmarc = dmarc::Status::kNone;
  authres::IprevStatus iprev = authres::IprevStatus::kPermerror;
  std::string iprev_name;  // forward-confirmed name
  bool ehlo_validated = false, mail_from_validated = false, msg_from_validated = false;
};

enum class Decision {
  kAccept,
  kReject,           // refused for good: a DMARC policy, or our domain spoofed
  kRejectMalformed,  // refused for good: not exactly one From address (RFC 7489 §6.6.1)
  kTempfail,         // try again later: the verdict depends on a failed DNS answer
};

struct Verdict {
  Decision decision = Decision::kAccept;
  std::string reason;   // for a refusal: one line for the sender's postmaster
  std::string headers;  // Authentication-Results and Received-SPF fields, CRLF-terminated
  Results results;
};

class Checks {
 public:
  Checks(const Env& env, std::string remote_ip);
  ~Checks();
  Checks(const Checks&) = delete;
  Checks& operator=(const Checks&) = delete;

  // A transaction starts: `mail_from` is "local@domain", "" for "<>".
  // Starts SPF for it (and iprev, on the first call).
  void mail_from(std::string ehlo, std::string mail_from);
  // The message is in, with its header parsed once by the caller
  // (message/parsed.h Parsed::header, an error when it is over the limits):
  // DKIM and DMARC; waits for SPF and iprev.
  Verdict finish(const dkim::MessageRef& message, const Result<message::Header>& header);

 private:
  template <class F>
  auto start(F f) -> std::future<decltype(f())> {
    if (env_.pool) return env_.pool->run(std::move(f));
    return std::async(std::launch::async, std::move(f));
  }

  const Env& env_;
  std::string ip_, ehlo_, mail_from_;
  std::optional<std::shared_future<authres::Iprev>> iprev_;
  std::optional<std::future<spf::Verdict>> spf_;
};

// All checks of one message at once (mox-dmarc verify).
Verdict check_message(const Env& env, const std::string& remote_ip, const std::string& ehlo,
                      const std::string& mail_from, const dkim::MessageRef& message,
                      std::string_view header);

}  // namespace mox::mailauth
