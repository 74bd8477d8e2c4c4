// Client side of SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS variants
// (RFC 5802 §5, §7; RFC 7677; tls-exporter binding RFC 9266).
#include <sodium.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sasl/client_internal.h"
#include "sasl/scram_core.h"
#include "sasl/secrets.h"
#include "util/encoding.h"

namespace mox::sasl {
namespace {

constexpr size_t kClientNonceBytes = 18;  // 24 base64 characters
constexpr std::string_view kChannelBindingType = "tls-exporter";

// saslname: "," and "=" escaped as "=2C" and "=3D" (RFC 5802 §5.1).
std::string encode_saslname(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string_view> split_commas(std::string_view s) { return scram_fields(s); }
std::optional<std::string_view> attribute(std::string_view f, char n) {
  return scram_attribute(f, n);
}

// printable = %x21-2B / %x2D-7E
bool valid_nonce(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7E || c == ',') return false;
  }
  return true;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_nonce() {
  if (sodium_init() < 0) {
    std::fputs("mox: fatal: sodium_init failed\n", stderr);
    std::abort();
  }
  std::string raw(kClientNonceBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return base64_encode(raw);
}

class ClientScram final : public ClientMechanism {
 public:
  ClientScram(ScramMechanism m, ClientCredentials c) : mech_(m), c_(std::move(c)) {}
  ~ClientScram() override {
    sodium_memzero(c_.password.data(), c_.password.size());
    sodium_memzero(server_key_.data(), server_key_.size());
  }
  std::string_view name() const override { return scram_mechanism_name(mech_); }

  // client-first-message = gs2-header client-first-message-bare
  Result<std::optional<std::string>> start() override {
    if (state_ != State::kStart) return unexpected();
    std::string flag = "n";
    if (mech_.plus) {
      flag = "p=" + std::string(kChannelBindingType);
    } else if (c_.channel_binding) {
      flag = "y";  // RFC 5802 §6: we could bind, the server did not offer -PLUS
    }
    gs2_header_ = flag + "," + (c_.authzid.empty() ? "" : "a=" + encode_saslname(c_.authzid)) + ",";
    nonce_ = random_nonce();
    client_first_bare_ = "n=" + encode_saslname(c_.username) + ",r=" + nonce_;
    state_ = State::kServerFirst;
    return std::optional<std::string>(gs2_header_ + client_first_bare_);
  }

  Result<std::string> next(std::string_view challenge) override {
    switch (state_) {
      case State::kServerFirst:
        return server_first(challenge);
      case State::kServerFinal:
        return server_final(challenge);
      default:
        return unexpected();
    }
  }

  bool done() const override { return state_ == State::kDone; }

 private:
  enum class State { kStart, kServerFirst, kServerFinal, kDone, kFailed };

  Error unexpected() {
    state_ = State::kFailed;
    return syntax_error("scram: unexpected challenge");
  }
  Error failed(Error e) {
    state_ = State::kFailed;
    return e;
  }

  // server-first-message = [reserved-mext ","] nonce "," salt ","
  //                        iteration-count ["," extensions]
  Result<std::string> server_first(std::string_view msg) {
    const std::vector<std::string_view> f = split_commas(msg);
    if (attribute(f[0], 'm'))
      return failed(syntax_error("scram: mandatory extension not supported"));
    const std::optional<std::string_view> nonce = attribute(f[0], 'r');
    // Assigned, not initialised by ?:, which GCC 12 -O3 takes for maybe-uninitialized.
    std::optional<std::string_view> salt_b64, iter;
    if (f.size() > 1) salt_b64 = attribute(f[1], 's');
    if (f.size() > 2) iter = attribute(f[2], 'i');
    if (!nonce || !salt_b64 || !iter) return failed(syntax_error("scram: malformed server-first"));
    // The server's nonce extends ours (RFC 5802 §5.1 "r").
    if (!valid_nonce(*nonce) || nonce->size() <= nonce_.size() ||
        nonce->substr(0, nonce_.size()) != nonce_) {
      return failed(syntax_error("scram: bad server nonce"));
    }
    Result<std::string> salt = base64_decode(*salt_b64);
    int iterations = 0;
    const auto [end, ec] = std::from_chars(iter->data(), iter->data() + iter->size(), iterations);
    if (!salt.ok() || salt->empty() || ec != std::errc() || end != iter->data() + iter->size() ||
        iterations < 1 || iterations > kMaxClientScramIterations) {
      return failed(syntax_error("scram: bad salt or iteration count"));
    }
    Result<std::string> pw = prepare_password(c_.password);
    if (!pw.ok()) return failed(user_error("scram: password cannot be used"));
    std::string salted = scram_salted_password(mech_.hash, *pw, *salt, iterations);
    sodium_memzero(pw->data(), pw->size());

    // channel-binding = "c=" base64(gs2-header [cbind-data])   (RFC 5802 §7)
    std::string cbind_input = gs2_header_;
    if (mech_.plus) cbind_input += *c_.channel_binding;
    const std::string without_proof =
        "c=" + base64_encode(cbind_input) + ",r=" + std::string(*nonce);
    // AuthMessage (RFC 5802 §3).
    auth_message_ = client_first_bare_ + "," + std::string(msg) + "," + without_proof;
    const std::string proof = scram_client_proof(mech_.hash, salted, auth_message_);
    server_key_ = scram_hmac(mech_.hash, salted, "Server Key");
    sodium_memzero(salted.data(), salted.size());
    state_ = State::kServerFinal;
    return without_proof + ",p=" + base64_encode(proof);
  }

  // server-final-message = (server-error / verifier) ["," extensions]
  Result<std::string> server_final(std::string_view msg) {
    const std::string_view first = split_commas(msg)[0];
    if (std::optional<std::string_view> e = attribute(first, 'e')) {
      return failed(Error{ErrorKind::kPermanent, "scram: server error: " + std::string(*e)});
    }
    const std::optional<std::string_view> v = attribute(first, 'v');
    Result<std::string> got = v ? base64_decode(*v) : Result<std::string>(syntax_error(""));
    if (!got.ok()) return failed(syntax_error("scram: malformed server-final"));
    // ServerSignature = HMAC(ServerKey, AuthMessage) (RFC 5802 §3): proves
    // the server knows the secret, and with -PLUS that no one sits between.
    const std::string expected = scram_hmac(mech_.hash, server_key_, auth_message_);
    if (!equal_constant_time(*got, expected)) {
      return failed(Error{ErrorKind::kPermanent, "scram: server signature mismatch"});
    }
    state_ = State::kDone;
    return std::string();  // the empty response that ends the exchange
  }

  ScramMechanism mech_;
  ClientCredentials c_;
  State state_ = State::kStart;
  std::string gs2_header_, nonce_, client_first_bare_, auth_message_, server_key_;
};

}  // namespace

std::unique_ptr<ClientMechanism> new_client_scram(ScramMechanism m, ClientCredentials creds) {
  return std::make_unique<ClientScram>(m, std::move(creds));
}

}  // namespace mox::sasl
