// Conversions between the secrets derived from a password (auth/password.h)
// and the row an account store keeps (store::PasswordRecord).
//
// Pure functions, no I/O; safe to call concurrently.
#pragma once

#include "auth/password.h"
#include "store/account.h"

namespace mox::auth {

// The record to store for freshly derived secrets.
store::PasswordRecord password_record(const PasswordSecrets& s);

// The SCRAM secret for hash h from a stored record. The result may be
// unusable (scram_secret_usable() false) when the record predates that hash
// or an iteration count does not fit an int; callers check.
ScramSecret scram_secret(const store::PasswordRecord& r, ScramHash h);

// The CRAM-MD5 secret from a stored record (states may be empty: malformed
// secrets make verify_cram_md5() fail).
CramMd5Secret cram_md5_secret(const store::PasswordRecord& r);

// True if the record holds the 16-byte MD5 states CRAM-MD5 needs.
bool cram_md5_secret_usable(const CramMd5Secret& s);

}  // namespace mox::auth
