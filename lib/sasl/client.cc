// Client side of PLAIN, LOGIN, CRAM-MD5 and EXTERNAL, the factory and the
// mechanism choice. SCRAM is in client_scram.cc.
#include "sasl/client.h"

#include <sodium.h>

#include "sasl/client_internal.h"
#include "sasl/internal.h"
#include "sasl/secrets.h"

namespace mox::sasl {
namespace {

Error unexpected_challenge() { return syntax_error("sasl: unexpected challenge"); }

// RFC 4616 §2: [authzid] NUL authcid NUL passwd, all in the initial response.
class ClientPlain final : public ClientMechanism {
 public:
  explicit ClientPlain(ClientCredentials c) : c_(std::move(c)) {}
  ~ClientPlain() override { sodium_memzero(c_.password.data(), c_.password.size()); }
  std::string_view name() const override { return "PLAIN"; }
  Result<std::optional<std::string>> start() override {
    done_ = true;
    std::string msg = c_.authzid;
    msg.append(1, '\0').append(c_.username).append(1, '\0').append(c_.password);
    return std::optional<std::string>(std::move(msg));
  }
  Result<std::string> next(std::string_view) override { return unexpected_challenge(); }
  bool done() const override { return done_; }

 private:
  ClientCredentials c_;
  bool done_ = false;
};

// draft-murchison-sasl-login-00 §2.1: answer the first challenge with the
// user name and the second with the password, whatever their text.
class ClientLogin final : public ClientMechanism {
 public:
  explicit ClientLogin(ClientCredentials c) : c_(std::move(c)) {}
  ~ClientLogin() override { sodium_memzero(c_.password.data(), c_.password.size()); }
  std::string_view name() const override { return "LOGIN"; }
  Result<std::optional<std::string>> start() override { return std::optional<std::string>(); }
  Result<std::string> next(std::string_view) override {
    if (sent_ == 2) return unexpected_challenge();
    return ++sent_ == 1 ? c_.username : c_.password;
  }
  bool done() const override { return sent_ == 2; }

 private:
  ClientCredentials c_;
  int sent_ = 0;
};

// RFC 2195 §2: username SP hex(HMAC-MD5(password, challenge)).
class ClientCramMd5 final : public ClientMechanism {
 public:
  explicit ClientCramMd5(ClientCredentials c) : c_(std::move(c)) {}
  ~ClientCramMd5() override { sodium_memzero(c_.password.data(), c_.password.size()); }
  std::string_view name() const override { return "CRAM-MD5"; }
  Result<std::optional<std::string>> start() override { return std::optional<std::string>(); }
  Result<std::string> next(std::string_view challenge) override {
    if (done_ || challenge.empty()) return unexpected_challenge();
    MOX_ASSIGN(std::string pw, prepare_password(c_.password));
    CramMd5Secret s = cram_md5_derive(pw);
    sodium_memzero(pw.data(), pw.size());
    std::string digest = cram_md5_digest_hex(s, challenge);
    sodium_memzero(s.ipad_state.data(), s.ipad_state.size());
    sodium_memzero(s.opad_state.data(), s.opad_state.size());
    done_ = true;
    return c_.username + " " + digest;
  }
  bool done() const override { return done_; }

 private:
  ClientCredentials c_;
  bool done_ = false;
};

// RFC 4422 App. A: the authorization identity, possibly empty.
class ClientExternal final : public ClientMechanism {
 public:
  explicit ClientExternal(ClientCredentials c) : c_(std::move(c)) {}
  std::string_view name() const override { return "EXTERNAL"; }
  Result<std::optional<std::string>> start() override {
    done_ = true;
    return std::optional<std::string>(c_.authzid);
  }
  Result<std::string> next(std::string_view) override { return unexpected_challenge(); }
  bool done() const override { return done_; }

 private:
  ClientCredentials c_;
  bool done_ = false;
};

bool offered(const std::vector<std::string>& list, std::string_view name) {
  for (const auto& m : list) {
    if (iequals(m, name)) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<ClientMechanism>> make_client_mechanism(std::string_view name,
                                                               ClientCredentials creds) {
  std::unique_ptr<ClientMechanism> m;
  std::optional<ScramMechanism> scram = parse_scram_mechanism(name);
  const bool external = iequals(name, "EXTERNAL");
  if (!scram && !external && !iequals(name, "PLAIN") && !iequals(name, "LOGIN") &&
      !iequals(name, "CRAM-MD5")) {
    return user_error("sasl: mechanism not supported");
  }
  if (!external && creds.username.empty()) return user_error("sasl: username required");
  if (external) {
    m = std::make_unique<ClientExternal>(std::move(creds));
  } else if (scram) {
    if (scram->plus && !creds.channel_binding) {
      return user_error("sasl: " + std::string(name) + " requires tls channel binding");
    }
    m = new_client_scram(*scram, std::move(creds));
  } else if (iequals(name, "PLAIN")) {
    m = std::make_unique<ClientPlain>(std::move(creds));
  } else if (iequals(name, "LOGIN")) {
    m = std::make_unique<ClientLogin>(std::move(creds));
  } else {
    m = std::make_unique<ClientCramMd5>(std::move(creds));
  }
  return m;
}

std::optional<std::string> choose_client_mechanism(const std::vector<std::string>& list,
                                                   const ClientCredentials& creds) {
  if (creds.password.empty()) {
    if (offered(list, "EXTERNAL")) return "EXTERNAL";
    return std::nullopt;
  }
  std::vector<std::string_view> prefs;
  if (creds.channel_binding) prefs = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS"};
  for (std::string_view m : {"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"}) {
    prefs.push_back(m);
  }
  for (std::string_view m : prefs) {
    if (offered(list, m)) return std::string(m);
  }
  return std::nullopt;
}

}  // namespace mox::sasl
