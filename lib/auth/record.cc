#include "auth/record.h"

#include <climits>

namespace mox::auth {
namespace {

int iterations_or_zero(int64_t n) { return n >= 1 && n <= INT_MAX ? static_cast<int>(n) : 0; }

}  // namespace

store::PasswordRecord password_record(const sasl::PasswordSecrets& s) {
  store::PasswordRecord r;
  r.scram_sha1_salt = s.scram_sha1.salt;
  r.scram_sha1_iterations = s.scram_sha1.iterations;
  r.scram_sha1_stored_key = s.scram_sha1.stored_key;
  r.scram_sha1_server_key = s.scram_sha1.server_key;
  r.scram_sha256_salt = s.scram_sha256.salt;
  r.scram_sha256_iterations = s.scram_sha256.iterations;
  r.scram_sha256_stored_key = s.scram_sha256.stored_key;
  r.scram_sha256_server_key = s.scram_sha256.server_key;
  r.cram_md5_ipad = s.cram_md5.ipad_state;
  r.cram_md5_opad = s.cram_md5.opad_state;
  return r;
}

sasl::PasswordSecrets password_secrets(const store::PasswordRecord& r) {
  return sasl::PasswordSecrets{scram_secret(r, sasl::ScramHash::kSha1),
                               scram_secret(r, sasl::ScramHash::kSha256), cram_md5_secret(r)};
}

sasl::ScramSecret scram_secret(const store::PasswordRecord& r, sasl::ScramHash h) {
  sasl::ScramSecret s;
  if (h == sasl::ScramHash::kSha1) {
    s.salt = r.scram_sha1_salt;
    s.iterations = iterations_or_zero(r.scram_sha1_iterations);
    s.stored_key = r.scram_sha1_stored_key;
    s.server_key = r.scram_sha1_server_key;
  } else {
    s.salt = r.scram_sha256_salt;
    s.iterations = iterations_or_zero(r.scram_sha256_iterations);
    s.stored_key = r.scram_sha256_stored_key;
    s.server_key = r.scram_sha256_server_key;
  }
  return s;
}

sasl::CramMd5Secret cram_md5_secret(const store::PasswordRecord& r) {
  return sasl::CramMd5Secret{r.cram_md5_ipad, r.cram_md5_opad};
}

}  // namespace mox::auth
