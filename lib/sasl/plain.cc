// PLAIN (RFC 4616).
#include "sasl/internal.h"
#include "sasl/secrets.h"

namespace mox::sasl {
namespace {

class Plain final : public PasswordMechanism {
 public:
  explicit Plain(const Context& ctx) : PasswordMechanism(ctx) {}
  std::string_view name() const override { return "PLAIN"; }

 protected:
  // RFC 4616 §2: no initial response → an empty challenge, then the message.
  Step on_start(std::optional<std::string_view> ir) override {
    if (!ir) return challenge({});
    return on_next(*ir);
  }

  // message = [authzid] UTF8NUL authcid UTF8NUL passwd   (RFC 4616 §2)
  // authcid = 1*SAFE; passwd = 1*SAFE; SAFE = any UTF-8 but NUL.
  Step on_next(std::string_view msg) override {
    const size_t nul1 = msg.find('\0');
    const size_t nul2 = nul1 == std::string_view::npos ? nul1 : msg.find('\0', nul1 + 1);
    if (nul2 == std::string_view::npos || msg.find('\0', nul2 + 1) != std::string_view::npos) {
      return fail(Failure::kSyntax, "malformed plain message");
    }
    const std::string_view authzid = msg.substr(0, nul1);
    const std::string_view authcid = msg.substr(nul1 + 1, nul2 - nul1 - 1);
    const std::string_view passwd = msg.substr(nul2 + 1);
    if (authcid.empty() || passwd.empty() || !valid_utf8(authzid) || !valid_utf8(authcid)) {
      return fail(Failure::kSyntax, "malformed plain message");
    }
    set_username(authcid);
    // RFC 4616 §2: the server decides whether authcid may act as authzid;
    // we only allow acting as oneself ("cannot assume other role").
    if (!authzid.empty() && authzid != authcid) {
      return fail(Failure::kOtherRole, "cannot assume other role");
    }
    return check_password(authcid, passwd);
  }
};

}  // namespace

std::unique_ptr<Mechanism> new_plain(const Context& ctx) { return std::make_unique<Plain>(ctx); }

}  // namespace mox::sasl
