// mox-sendmail's submission: the SMTP session to the configured server,
// and saving a message that could not be submitted.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sendmail/args.h"
#include "sendmail/compose.h"
#include "sendmail/config.h"
#include "tls/certs.h"
#include "util/result.h"

namespace mox::sendmail {

// The TLS client certificate of the config (mox-sendmail(8)), or null when it
// authenticates with a password: from ClientAuthEd25519PrivateKey (a
// minimal self-signed certificate made now) or the PEM file (exactly one
// private key, at least one certificate; the key must match the leaf).
// Errors: kUser / kSyntax naming the field; never the key material.
Result<std::shared_ptr<const tls::CertKey>> client_cert(const SubmitConfig& c);

// Connects (resolving Host with the system resolver), authenticates with
// the password or `cert` (from client_cert()) and submits. The error
// message is one line: where it failed and the server's reply. `log`, if
// set, gets the steps (never secrets).
Status submit(const SubmitConfig& c, std::shared_ptr<const tls::CertKey> cert, const Composed& m,
              const std::function<void(const std::string&)>& log);

// Saves `message` as a new 0600 file in $HOME/moxsubmit.failures/ (made
// 0700 if missing) and returns its path.
Result<std::string> save_failure(std::string_view message);

// Everything after argument parsing: reads the config and the message,
// submits, saves on failure. Returns the exit code; errors are one line
// on stderr prefixed "mox-sendmail: ".
int run(const Args& args);

}  // namespace mox::sendmail
