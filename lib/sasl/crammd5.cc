// CRAM-MD5 (RFC 2195).
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "sasl/internal.h"
#include "sasl/secrets.h"

namespace mox::sasl {
namespace {

constexpr size_t kDigestHexSize = 32;

bool is_hex(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!ok) return false;
  }
  return true;
}

class CramMd5 final : public Mechanism {
 public:
  explicit CramMd5(const Context& ctx) : Mechanism(ctx) {}
  std::string_view name() const override { return "CRAM-MD5"; }

 protected:
  // RFC 2195 §2: the server speaks first, so there is no initial response.
  // The challenge is a msg-id (RFC 5322 §3.6.4) of random digits, a timestamp
  // and the server's host name: "<random.time@hostname>".
  Step on_start(std::optional<std::string_view> ir) override {
    if (ir) return fail(Failure::kSyntax, "initial response not allowed with cram-md5");
    if (sodium_init() < 0) {  // no entropy source: a broken invariant
      std::fputs("mox: fatal: sodium_init failed\n", stderr);
      std::abort();
    }
    uint64_t random = 0;
    randombytes_buf(&random, sizeof random);
    const int64_t now = ctx().now != 0 ? ctx().now : static_cast<int64_t>(std::time(nullptr));
    const std::string host = ctx().hostname.empty() ? "localhost" : ctx().hostname;
    challenge_ = "<" + std::to_string(random) + "." + std::to_string(now) + "@" + host + ">";
    return challenge(challenge_);
  }

  // response = username SP digest, digest = 32 lower-case hex (RFC 2195 §2).
  // The username may itself contain spaces, so split at the last one.
  Step on_next(std::string_view response) override {
    const size_t sp = response.rfind(' ');
    if (sp == std::string_view::npos || sp == 0) {
      return fail(Failure::kSyntax, "malformed cram-md5 response");
    }
    const std::string_view user = response.substr(0, sp);
    const std::string_view digest = response.substr(sp + 1);
    if (digest.size() != kDigestHexSize || !is_hex(digest) || !valid_utf8(user)) {
      return fail(Failure::kSyntax, "malformed cram-md5 response");
    }
    Result<AuthUser> u = lookup(user);
    if (!u.ok()) return lookup_failed(u.error());
    const CramMd5Secret secret = u->password ? u->password->cram_md5 : CramMd5Secret{};
    if (!cram_md5_secret_usable(secret)) {
      return fail(Failure::kScramNotPossible, "cram-md5 not possible");
    }
    if (!verify_cram_md5(secret, challenge_, digest)) {
      return fail(Failure::kBadCreds, std::string(kBadCredsMessage));
    }
    if (std::optional<Step> refused = refuse(*u)) return *refused;
    return succeed(*u);
  }

 private:
  std::string challenge_;
};

}  // namespace

std::unique_ptr<Mechanism> new_cram_md5(const Context& ctx) {
  return std::make_unique<CramMd5>(ctx);
}

}  // namespace mox::sasl
