// Client side of the SASL mechanisms of sasl.h, for tests, mox-sendmail, the
// queue's submission transport and test tools. I/O-free like the server side:
//
//   MOX_ASSIGN(auto m, sasl::make_client_mechanism(name, creds));
//   MOX_ASSIGN(std::optional<std::string> ir, m->start());
//   send("AUTH " + name + (ir ? " " + (ir->empty() ? "=" : base64(*ir)) : ""));
//   while (reply is a challenge) {                     // "334 " / "+ "
//     MOX_ASSIGN(std::string r, m->next(decode(challenge)));
//     send(base64(r));
//   }
//   success only if the reply says so and m->done()   // SCRAM: server verified
//
// A protocol that cannot send an initial response (IMAP without SASL-IR) sends
// start()'s bytes in reply to the server's first, empty, challenge instead.
//
// Passwords are prepared like the server does (prepare_password) for
// the mechanisms that hash them (CRAM-MD5, SCRAM) and sent as given with
// PLAIN and LOGIN, where the server prepares them. Nothing here logs.
// Thread-safety: one thread at a time per object.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::sasl {

struct ClientCredentials {
  std::string username;  // the login address (authentication identity)
  std::string password;  // all mechanisms but EXTERNAL
  // Authorization identity for PLAIN, SCRAM and EXTERNAL; empty: none (for
  // EXTERNAL: the certificate's login address).
  std::string authzid;
  // tls-exporter bytes (RFC 9266) when the connection is TLS and can provide
  // them. Required by -PLUS mechanisms; with a bare SCRAM mechanism it makes
  // the client send the "y" flag (RFC 5802 §6: the client could bind but the
  // server did not offer -PLUS), so only pass it when -PLUS was not offered.
  std::optional<std::string> channel_binding;
};

class ClientMechanism {
 public:
  virtual ~ClientMechanism() = default;
  virtual std::string_view name() const = 0;  // upper case

  // The initial response (RFC 4422 §5), raw bytes; nullopt for mechanisms
  // where the server speaks first (LOGIN, CRAM-MD5). Call once, first.
  virtual Result<std::optional<std::string>> start() = 0;

  // The response to a server challenge, raw decoded bytes. Errors: kSyntax
  // for a malformed challenge or one the mechanism does not expect;
  // kPermanent when a SCRAM server sent an error or failed to prove it knows
  // the password (a wrong v=: do not trust its success); kUser for a
  // password that cannot be prepared.
  virtual Result<std::string> next(std::string_view challenge) = 0;

  // True once everything was sent and, for SCRAM, the server's signature was
  // verified. A client must treat a success reply before done() as a failure.
  virtual bool done() const = 0;
};

// A client mechanism by name (case-insensitive). Errors: kUser for an unknown
// name, for a -PLUS mechanism without creds.channel_binding, and for an empty
// username with a password mechanism.
Result<std::unique_ptr<ClientMechanism>> make_client_mechanism(std::string_view name,
                                                               ClientCredentials creds);

// The best mechanism among those a server offered that these credentials can
// use: SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS (with channel binding),
// SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN; EXTERNAL only if
// nothing else fits and there is no password. nullopt if none fits.
std::optional<std::string> choose_client_mechanism(const std::vector<std::string>& offered,
                                                   const ClientCredentials& creds);

// Largest SCRAM iteration count a client accepts from a server (a hostile
// server could otherwise make the client spin). mox uses 4096 and 8192.
constexpr int kMaxClientScramIterations = 1 << 20;

}  // namespace mox::sasl
