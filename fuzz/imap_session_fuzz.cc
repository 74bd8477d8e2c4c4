// libFuzzer target: the IMAP session (commands, literals, SASL rounds, IDLE,
// FETCH/STORE/SEARCH/COPY over a real account store in a temp directory).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "imapserver/session.h"
#include "sasl/secrets.h"

namespace {

using namespace mox;
using namespace mox::imapserver;

class Creds : public sasl::Credentials {
 public:
  Creds() : rec_(*sasl::derive_secrets("password1234")) {}
  Result<sasl::AuthUser> lookup(std::string_view u) override {
    if (u == "mjl@example.com") return sasl::AuthUser{"mjl", "mjl@example.com", rec_, ""};
    return not_found("no");
  }
  sasl::PasswordSecrets rec_;
};

class FuzzBackend : public Backend {
 public:
  FuzzBackend()
      : dir_((std::filesystem::temp_directory_path() / ("imapfuzz-" + std::to_string(::getpid())))
                 .string()) {
    std::filesystem::create_directories(dir_);
  }
  sasl::Context sasl_context(const TLSState& t) override {
    sasl::Context c;
    c.creds = &creds_;
    c.tls = t.active;
    c.channel_binding = std::string(32, 'x');
    c.now = 1;
    return c;
  }
  bool auth_allowed() override { return true; }
  void auth_attempt(std::string_view, std::string_view, std::string_view, std::string_view,
                    std::string_view) override {}
  Result<std::unique_ptr<Mailstore>> open_account(const std::string& a) override {
    return open_mailstore(dir_ + "/" + a);
  }
  std::string account_gone(const std::string&) override { return ""; }
  Creds creds_;
  std::string dir_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static FuzzBackend backend;
  Settings s;
  s.hostname = "mail.example.com";
  s.tls_configured = true;
  s.auth_delay_unit = std::chrono::milliseconds(0);
  s.max_append = 1 << 16;
  Session session(s, backend);
  session.tls_started(TLSState{true, "", std::string(32, 'x'), std::nullopt, ""});
  (void)session.greeting();
  Output o = session.feed("A LOGIN mjl@example.com password1234\r\n");
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t cut = in.empty() ? 0 : (static_cast<unsigned char>(in[0]) * 13) % (in.size() + 1);
  o = session.feed(in.substr(0, cut));
  while (o.more && !o.close) o = session.resume();  // as the server does
  if (!o.close) o = session.feed(in.substr(cut));
  while (o.more && !o.close) o = session.resume();
  if (session.idling()) (void)session.poll_updates();
  return 0;
}
