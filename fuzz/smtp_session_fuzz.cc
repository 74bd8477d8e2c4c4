// libFuzzer target: the SMTP session state machine (commands, DATA with
// dot-unstuffing and smuggling checks, BDAT, AUTH), fed in arbitrary splits.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sasl/secrets.h"
#include "smtpserver/session.h"

namespace {

using namespace mox;
using namespace mox::smtpserver;

class Creds : public sasl::Credentials {
 public:
  Creds() : rec_(*sasl::derive_secrets("password1234")) {}
  Result<sasl::AuthUser> lookup(std::string_view u) override {
    if (u == "mjl@example.com") return sasl::AuthUser{"mjl", "mjl@example.com", rec_, ""};
    return not_found("no");
  }
  sasl::PasswordSecrets rec_;
};

class NullSpool : public Spool {
 public:
  Status append(std::string_view) override { return {}; }
};

class FuzzBackend : public Backend {
 public:
  RcptResult check_recipient(const smtp::Address& a, const std::string&) override {
    return a.localpart().value() == "mjl" ? RcptResult{RcptStatus::kLocal, "mjl", "Inbox"}
                                          : RcptResult{RcptStatus::kRemote, "", ""};
  }
  SenderStatus check_sender(const std::string&, const smtp::Address&) override {
    return SenderStatus::kOk;
  }
  bool auth_allowed() override { return true; }
  void auth_attempt(std::string_view, std::string_view, std::string_view,
                    std::string_view) override {}
  sasl::Context sasl_context(const TLSState& t) override {
    sasl::Context c;
    c.creds = &creds_;
    c.tls = t.active;
    c.channel_binding = std::string(32, 'x');
    c.now = 1;
    return c;
  }
  Result<std::unique_ptr<Spool>> begin_message() override {
    return std::unique_ptr<Spool>(new NullSpool());
  }
  smtp::Reply deliver(const SessionInfo&, const Transaction&, std::unique_ptr<Spool>) override {
    return {250, "0.0", "ok"};
  }
  Creds creds_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzBackend backend;
  if (size < 1) return 0;
  Settings s;
  s.mode = static_cast<Mode>(data[0] % 3);
  s.hostname = "mail.example.com";
  s.tls_configured = true;
  s.max_message_size = 4096;
  s.max_command_line = 512;
  s.auth_delay_unit = std::chrono::milliseconds(0);
  Session session(s, backend);
  if (data[0] & 4) session.tls_started(TLSState{true, "", std::string(32, 'x'), std::nullopt, ""});
  (void)session.greeting();
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  // Split the input at a data-dependent point to exercise partial lines.
  size_t cut = in.empty() ? 0 : (static_cast<unsigned char>(in[0]) * 7) % (in.size() + 1);
  Output o = session.feed(in.substr(0, cut));
  if (o.start_tls) session.tls_started(TLSState{true, "", std::nullopt, std::nullopt, ""});
  if (!o.close) (void)session.feed(in.substr(cut));
  session.end();
  return 0;
}
