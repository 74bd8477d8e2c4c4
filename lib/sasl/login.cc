// LOGIN (draft-murchison-sasl-login-00): obsoleted by PLAIN, kept for legacy
// clients. The server asks "Username:" then "Password:" (§2.1); clients are
// told to ignore the challenge text, but some show it.
#include "sasl/internal.h"

namespace mox::sasl {
namespace {

class Login final : public PasswordMechanism {
 public:
  explicit Login(const Context& ctx) : PasswordMechanism(ctx) {}
  std::string_view name() const override { return "LOGIN"; }

 protected:
  // The draft allows the user name as initial response.
  Step on_start(std::optional<std::string_view> ir) override {
    if (!ir) return challenge("Username:");
    return on_next(*ir);
  }

  Step on_next(std::string_view response) override {
    if (!have_username_) {
      have_username_ = true;
      set_username(response);
      return challenge("Password:");
    }
    return check_password(username(), response);
  }

 private:
  bool have_username_ = false;
};

}  // namespace

std::unique_ptr<Mechanism> new_login(const Context& ctx) { return std::make_unique<Login>(ctx); }

}  // namespace mox::sasl
