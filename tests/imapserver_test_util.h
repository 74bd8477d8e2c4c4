// Helpers shared by the IMAP session tests: a Backend over account stores in
// a temp directory, and a fixture that feeds a Session and returns its reply.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "imapserver/session.h"
#include "sasl/secrets.h"

namespace mox::imapserver::testutil {

inline TLSState tls_on(const char* description) {
  TLSState t;
  t.active = true;
  t.description = description;
  return t;
}

class Creds : public sasl::Credentials {
 public:
  Creds() : rec_(*sasl::derive_secrets("password1234")) {}
  Result<sasl::AuthUser> lookup(std::string_view u) override {
    if (u == "mjl@example.com") return sasl::AuthUser{"mjl", "mjl@example.com", rec_, ""};
    if (u == "off@example.com") return sasl::AuthUser{"off", "off@example.com", rec_, "moved"};
    return not_found("no");
  }
  sasl::PasswordSecrets rec_;
};

class FakeBackend : public Backend {
 public:
  explicit FakeBackend(std::string dir) : dir_(std::move(dir)) {}
  sasl::Context sasl_context(const TLSState& t) override {
    sasl::Context c;
    c.creds = &creds_;
    c.tls = t.active;
    return c;
  }
  bool auth_allowed() override { return allowed; }
  bool client_gone() override { return closed; }
  void log_error(std::string_view m) override { logged.emplace_back(m); }
  bool allowed = true, closed = false;
  std::vector<std::string> logged;
  void auth_attempt(std::string_view mech, std::string_view, std::string_view,
                    std::string_view result, std::string_view) override {
    attempts.push_back(std::string(mech) + " " + std::string(result));
  }
  Result<std::unique_ptr<Mailstore>> open_account(const std::string& a) override {
    return open_mailstore(dir_ + "/" + a);
  }
  std::string account_gone(const std::string&) override { return gone; }
  std::vector<std::string> capabilities_disabled(const std::string&) override { return disabled; }
  int64_t quota_message_size(const std::string&) override { return quota; }
  int64_t quota = 0;
  Creds creds_;
  std::string dir_, gone;
  std::vector<std::string> disabled;
  std::vector<std::string> attempts;
};

class ImapSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("imapsess-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    backend_ = std::make_unique<FakeBackend>(dir_.string());
    Settings s;
    s.hostname = "mail.example.com";
    s.tls_configured = true;
    s.auth_delay_unit = std::chrono::milliseconds(0);
    s.max_search_keys = 50;
    settings_ = s;
    session_ = std::make_unique<Session>(s, *backend_);
    greeting_ = session_->greeting().reply;
  }
  void TearDown() override {
    session_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string send(std::string_view in) { return (last_ = session_->feed(in)).reply; }
  void login() {
    session_->tls_started(tls_on(""));
    ASSERT_NE(send("a LOGIN mjl@example.com password1234\r\n").find("a OK [CAPABILITY"),
              std::string::npos);
  }
  std::filesystem::path dir_;
  std::unique_ptr<FakeBackend> backend_;
  std::unique_ptr<Session> session_;
  // A new session (with `s`) on the same account store, logged in.
  void restart(Settings s) {
    session_ = std::make_unique<Session>(s, *backend_);
    session_->greeting();
    login();
  }
  std::string greeting_;
  Settings settings_;
  Output last_;
};

}  // namespace mox::imapserver::testutil
