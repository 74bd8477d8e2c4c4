// EXTERNAL (RFC 4422 App. A) over a TLS client certificate
// (mox-imapd(8) "TLS client certificates", mox-smtpd(8) "Authentication").
//
// The certificate was verified during the TLS handshake, which gave the
// connection an account and a login address. The client's message is an
// authorization identity: empty means the certificate's login address;
// otherwise it must be an address of the same account.
#include "sasl/internal.h"
#include "sasl/secrets.h"

namespace mox::sasl {
namespace {

class External final : public Mechanism {
 public:
  explicit External(const Context& ctx) : Mechanism(ctx) {}
  std::string_view name() const override { return "EXTERNAL"; }

 protected:
  // RFC 4422 App. A.1: the message may come as initial response or after an
  // empty challenge.
  Step on_start(std::optional<std::string_view> ir) override {
    if (!ctx().tls) {
      return fail(Failure::kNoTLS, "tls required for tls client certificate authentication");
    }
    if (!ctx().tls_cert_account || !ctx().tls_cert_login_address) {
      return fail(Failure::kNoCert,
                  "missing client certificate, required for tls client certificate "
                  "authentication");
    }
    if (!ir) return challenge({});
    return on_next(*ir);
  }

  Step on_next(std::string_view authzid) override {
    if (!valid_utf8(authzid) || authzid.find('\0') != std::string_view::npos) {
      return fail(Failure::kSyntax, "malformed authorization identity");
    }
    const std::string identity =
        authzid.empty() ? *ctx().tls_cert_login_address : std::string(authzid);
    Result<AuthUser> u = lookup(identity);
    if (!u.ok()) return lookup_failed(u.error());
    if (u->account != *ctx().tls_cert_account) {
      return fail(Failure::kOtherAccount,
                  "authentication failed, tls client certificate public key belongs to "
                  "another account");
    }
    if (std::optional<Step> refused = refuse(*u)) return *refused;
    return succeed(*u);
  }
};

}  // namespace

std::unique_ptr<Mechanism> new_external(const Context& ctx) {
  return std::make_unique<External>(ctx);
}

}  // namespace mox::sasl
