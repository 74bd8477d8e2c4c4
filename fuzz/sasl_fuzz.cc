// libFuzzer target for the server SASL mechanisms (lib/sasl): peer bytes must
// never crash, hang or make a mechanism succeed without the password.
//
// Input: byte 0 picks the mechanism and whether the first message is an
// initial response; the rest is split at '\n' into client messages.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sasl/sasl.h"
#include "sasl/scram_core.h"
#include "sasl/secrets.h"

namespace {

using namespace mox;

constexpr std::string_view kPassword = "fuzz password";

// Secrets with one iteration, so PBKDF2 does not dominate the run time.
sasl::PasswordSecrets cheap_secrets() {
  const std::string salt(sasl::kSaltSize, 's');
  sasl::PasswordSecrets s;
  s.scram_sha1 = sasl::scram_derive(sasl::ScramHash::kSha1, kPassword, salt, 1);
  s.scram_sha256 = sasl::scram_derive(sasl::ScramHash::kSha256, kPassword, salt, 1);
  s.cram_md5 = sasl::cram_md5_derive(kPassword);
  return s;
}

class FuzzCredentials : public sasl::Credentials {
 public:
  Result<sasl::AuthUser> lookup(std::string_view username) override {
    if (username != "u@x" && username != "d@x") return not_found("unknown user");
    sasl::AuthUser u;
    u.account = username == "u@x" ? "u" : "d";
    u.login_address = std::string(username);
    u.password = record_;
    if (username == "d@x") u.login_disabled = "off";
    return u;
  }

 private:
  sasl::PasswordSecrets record_ = cheap_secrets();
};

constexpr const char* kMechs[] = {"PLAIN",
                                  "LOGIN",
                                  "CRAM-MD5",
                                  "SCRAM-SHA-1",
                                  "SCRAM-SHA-256",
                                  "SCRAM-SHA-1-PLUS",
                                  "SCRAM-SHA-256-PLUS",
                                  "EXTERNAL"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzCredentials creds;
  if (size < 1) return 0;
  sasl::Context ctx;
  ctx.creds = &creds;
  ctx.tls = (data[0] & 0x10) != 0;
  if (data[0] & 0x20) ctx.channel_binding = "cb";
  if (data[0] & 0x40) {
    ctx.tls_cert_account = "u";
    ctx.tls_cert_login_address = "u@x";
  }
  const bool ir = (data[0] & 0x80) != 0;
  auto m = sasl::make_mechanism(kMechs[data[0] % std::size(kMechs)], ctx);
  if (!m.ok()) std::abort();
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  auto take = [&rest]() {
    const size_t nl = rest.find('\n');
    std::string_view msg = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return msg;
  };
  sasl::Step st = ir ? (*m)->start(take()) : (*m)->start(std::nullopt);
  for (int i = 0; i < 8 && st.outcome == sasl::Outcome::kContinue && !rest.empty(); ++i) {
    st = (*m)->next(take());
  }
  // Success needs the password (or, for EXTERNAL, the certificate account),
  // and a disabled account never succeeds.
  if (st.outcome == sasl::Outcome::kSuccess) {
    if ((*m)->account() != "u") std::abort();
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const bool external = (*m)->name() == "EXTERNAL";
    const bool scram_or_cram = !external && (*m)->name() != "PLAIN" && (*m)->name() != "LOGIN";
    if (!external && !scram_or_cram && input.find(kPassword) == std::string_view::npos) {
      std::abort();
    }
  }
  return 0;
}
