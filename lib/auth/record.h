// Conversions between the secrets derived from a password (sasl/secrets.h)
// and the row an account store keeps (store::PasswordRecord).
//
// Pure functions, no I/O; safe to call concurrently.
#pragma once

#include "sasl/secrets.h"
#include "store/account.h"

namespace mox::auth {

// The record to store for freshly derived secrets.
store::PasswordRecord password_record(const sasl::PasswordSecrets& s);

// The secrets of a stored record, as the SASL mechanisms take them
// (sasl::AuthUser::password): scram_secret() for both hashes and
// cram_md5_secret().
sasl::PasswordSecrets password_secrets(const store::PasswordRecord& r);

// The SCRAM secret for hash h from a stored record. The result may be
// unusable (sasl::scram_secret_usable() false) when the record predates that
// hash or an iteration count does not fit an int; callers check.
sasl::ScramSecret scram_secret(const store::PasswordRecord& r, sasl::ScramHash h);

// The CRAM-MD5 secret from a stored record (states may be empty: malformed
// secrets make sasl::verify_cram_md5() fail).
sasl::CramMd5Secret cram_md5_secret(const store::PasswordRecord& r);

}  // namespace mox::auth
