// Building login attempts (docs/DESIGN.md "Login attempts") for
// auth::record_login_attempt: the protocol fills in what it knows as the
// authentication proceeds, then records once, synchronously (docs/DESIGN.md
// "Shared state between processes").
//
//   auth::AttemptBuilder b(auth::kProtocolSubmission, remote_ip, local_ip);
//   b.tls(conn.tls_description());
//   ... sasl exchange ...
//   b.mechanism(m->attempt_mech()).login_address(m->username())
//    .account(m->attempt_account()).result(sasl::attempt_result(step.failure));
//   MOX_TRY(b.record(auth_db, now));
//
// Text from the peer (login address, user agent) is cleaned before it is
// stored: at most kMaxAttemptField bytes, control characters and invalid
// UTF-8 replaced by '?', so listing attempts cannot garble a terminal.
// Never put a password or an AUTH payload into any field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/authdb.h"
#include "db/sqlite.h"
#include "sasl/sasl.h"
#include "util/result.h"

namespace mox::auth {

// LoginAttempt::protocol values (docs/DESIGN.md "Login attempts").
inline constexpr std::string_view kProtocolSubmission = "submission";
inline constexpr std::string_view kProtocolIMAP = "imap";
inline constexpr std::string_view kProtocolWebmail = "webmail";
inline constexpr std::string_view kProtocolWebAccount = "webaccount";
inline constexpr std::string_view kProtocolWebAdmin = "webadmin";
inline constexpr std::string_view kProtocolWebAPI = "webapi";

// LoginAttempt::auth_mech for a TLS client certificate checked during the
// handshake (SASL mechanisms use sasl::Mechanism::attempt_mech()).
inline constexpr std::string_view kMechTLSClientAuth = "tlsclientauth";

// Account name when the username resolved to no account (docs/DESIGN.md "Login
// attempts").
inline constexpr std::string_view kUnknownAccount = "-";

inline constexpr size_t kMaxAttemptField = 1024;

// IMAP ID (RFC 2971) parameters as a user agent: `k="v" k2="v2"`, in the
// order given, with '"' and '\' escaped by '\'. Then cleaned like all peer text.
std::string imap_id_user_agent(const std::vector<std::pair<std::string, std::string>>& params);

// Text from the peer, made safe to store and print (see top).
std::string clean_attempt_text(std::string_view s);

class AttemptBuilder {
 public:
  AttemptBuilder(std::string_view protocol, std::string_view remote_ip, std::string_view local_ip);

  AttemptBuilder& tls(std::string description);
  AttemptBuilder& tls_pubkey_fingerprint(std::string fingerprint);
  AttemptBuilder& user_agent(std::string_view ua);       // cleaned
  AttemptBuilder& login_address(std::string_view addr);  // cleaned
  AttemptBuilder& mechanism(std::string auth_mech);
  AttemptBuilder& account(std::string name);  // "" → kUnknownAccount
  AttemptBuilder& result(std::string_view result);

  // The attempt as it would be recorded: account "-" when unknown, result
  // "error" when never set (an exchange that ended without a verdict).
  LoginAttempt build() const;
  // record_login_attempt(db, build(), now, max_failed).
  Status record(db::Db& db, int64_t now, int64_t max_failed = kMaxFailedLoginAttempts) const;

 private:
  LoginAttempt a_;
};

// Sets mechanism, login address, account and result of b from a finished
// SASL exchange (f: the failure of its last step, sasl::Failure::kNone for
// success).
void describe_attempt(AttemptBuilder& b, const sasl::Mechanism& m, sasl::Failure f);

}  // namespace mox::auth
