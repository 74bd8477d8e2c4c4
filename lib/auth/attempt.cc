#include "auth/attempt.h"

#include "util/utf8.h"

namespace mox::auth {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid
// (RFC 3629 §4), checked by the shared validator on the candidate bytes.
size_t utf8_sequence(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  const size_t n = c < 0x80           ? 1
                   : (c >> 5) == 0x6  ? 2
                   : (c >> 4) == 0xE  ? 3
                   : (c >> 3) == 0x1E ? 4
                                      : 0;
  if (n == 0 || i + n > s.size() || !valid_utf8(s.substr(i, n))) return 0;
  return n;
}

void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string clean_attempt_text(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_sequence(s, i);
    if (n == 0) {
      if (out.size() + 1 > kMaxAttemptField) break;
      out += '?';
      ++i;
      continue;
    }
    if (out.size() + n > kMaxAttemptField) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c < 0x20 || c == 0x7F)) {
      out += '?';
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string imap_id_user_agent(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += ' ';
    out += k;
    out += '=';
    append_quoted(out, v);
  }
  return clean_attempt_text(out);
}

AttemptBuilder::AttemptBuilder(std::string_view protocol, std::string_view remote_ip,
                               std::string_view local_ip) {
  a_.protocol = std::string(protocol);
  a_.remote_ip = std::string(remote_ip);
  a_.local_ip = std::string(local_ip);
}

AttemptBuilder& AttemptBuilder::tls(std::string description) {
  a_.tls = std::move(description);
  return *this;
}

AttemptBuilder& AttemptBuilder::tls_pubkey_fingerprint(std::string fingerprint) {
  a_.tls_pubkey_fingerprint = std::move(fingerprint);
  return *this;
}

AttemptBuilder& AttemptBuilder::user_agent(std::string_view ua) {
  a_.user_agent = clean_attempt_text(ua);
  return *this;
}

AttemptBuilder& AttemptBuilder::login_address(std::string_view addr) {
  a_.login_address = clean_attempt_text(addr);
  return *this;
}

AttemptBuilder& AttemptBuilder::mechanism(std::string auth_mech) {
  a_.auth_mech = std::move(auth_mech);
  return *this;
}

AttemptBuilder& AttemptBuilder::account(std::string name) {
  a_.account_name = std::move(name);
  return *this;
}

AttemptBuilder& AttemptBuilder::result(std::string_view result) {
  a_.result = std::string(result);
  return *this;
}

LoginAttempt AttemptBuilder::build() const {
  LoginAttempt a = a_;
  if (a.account_name.empty()) a.account_name = std::string(kUnknownAccount);
  if (a.result.empty()) a.result = "error";
  return a;
}

Status AttemptBuilder::record(db::Db& db, int64_t now, int64_t max_failed) const {
  return record_login_attempt(db, build(), now, max_failed);
}

void describe_attempt(AttemptBuilder& b, const sasl::Mechanism& m, sasl::Failure f) {
  b.mechanism(m.attempt_mech())
      .login_address(m.username())
      .account(m.attempt_account())
      .result(sasl::attempt_result(f));
}

}  // namespace mox::auth
