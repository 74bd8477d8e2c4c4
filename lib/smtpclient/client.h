// SMTP client: delivers messages to one server over one connection, for the
// outgoing queue (remote MX hosts, port 25) and mox-sendmail (submission,
// ports 587/465).
//
//   smtpclient::Options o;
//   o.local_hostname = "mail.example.org";        // EHLO name
//   auto c = smtpclient::Client::dial("mx.example.com", {"192.0.2.1"}, 25, o);
//   if (!c) { /* c.error(): a Failure; connection_level() -> next host */ }
//   smtpclient::Delivery d = c->deliver(envelope, smtpclient::Message::bytes(msg));
//   for (size_t i = 0; i < envelope.rcpts.size(); i++) d.result(i);  // nullopt: delivered
//   c->close();                                     // QUIT
//
// The protocol pieces without I/O are in reply.h (reply parser, enhanced
// codes), ehlo.h (extensions) and data.h (dot-stuffing); they are fuzzed
// and unit-tested separately. Name resolution (MX, A/AAAA) is the caller's.
//
// Errors are values: a Failure says at which stage it happened, whether it
// is permanent (a 5xx reply, or a missing extension the message needs) or
// temporary (4xx, network, timeout, TLS), and carries the server's reply.
// Nothing here logs secrets (AUTH exchanges are never logged).
// Thread-safety: a Client is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/conn.h"
#include "smtp/address.h"
#include "smtpclient/data.h"
#include "smtpclient/ehlo.h"
#include "smtpclient/reply.h"
#include "tls/certs.h"
#include "tls/handles.h"
#include "util/result.h"

namespace mox::smtpclient {

using std::chrono::milliseconds;

// Where in the SMTP conversation something failed.
enum class Stage {
  kConnect,       // TCP connect
  kGreeting,      // the server's 220 (RFC 5321 §4.3.1)
  kEhlo,          // EHLO / HELO
  kStartTLS,      // the STARTTLS command (RFC 3207) or TLS not available
  kTLSHandshake,  // the handshake itself (also implicit TLS)
  kAuth,          // AUTH (RFC 4954)
  kMail,          // MAIL FROM, and checks of the message against extensions
  kRcpt,          // RCPT TO (per recipient)
  kData,          // DATA and its 354
  kDot,           // the message and the final "." reply
};
std::string_view stage_name(Stage s);  // "connect", "greeting", "ehlo", ...

struct Failure {
  Stage stage = Stage::kConnect;
  bool permanent = false;      // 5xx or a permanent local check; else retry later
  std::optional<Reply> reply;  // the server's reply, if the failure was one
  // One line: "<stage>: <reply or what happened>", e.g. "rcpt: 550 5.1.1
  // no such user", "connect 192.0.2.1:25: connect: Connection refused".
  std::string message;

  // The connection (or this host) failed before any transaction: try the
  // next host, as RFC 5321 §5.1 suggests.
  bool connection_level() const { return stage <= Stage::kAuth; }
  // As the project's Error (kPermanent / kTemporary), and as a failed
  // Result<T>, so that MOX_TRY / MOX_ASSIGN work in functions returning
  // Result<T>.
  Error error() const {
    return {permanent ? ErrorKind::kPermanent : ErrorKind::kTemporary, message};
  }
  operator Error() const { return error(); }  // NOLINT: implicit by design
  template <class T>
  operator Result<T>() const {  // NOLINT: implicit by design
    return error();
  }
};

// A value or a Failure, shaped like Result<T>.
template <class T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T v) : v_(std::in_place_index<0>, std::move(v)) {}        // NOLINT: implicit
  Outcome(Failure f) : v_(std::in_place_index<1>, std::move(f)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  T* operator->() { return &value(); }
  const Failure& error() const& { return std::get<1>(v_); }
  Failure&& error() && { return std::get<1>(std::move(v_)); }

 private:
  void check() const {
    if (v_.index() != 0) std::abort();  // broken invariant: value() of a failure
  }
  std::variant<T, Failure> v_;
};

// RFC 5321 §4.5.3.2 minimum timeouts as defaults; tests shorten them.
struct Timeouts {
  milliseconds connect{std::chrono::seconds(30)};
  milliseconds greeting{std::chrono::minutes(5)};  // §4.5.3.2.1
  milliseconds command{std::chrono::minutes(5)};   // EHLO, STARTTLS, AUTH, RSET, QUIT
  milliseconds tls_handshake{std::chrono::minutes(1)};
  milliseconds mail{std::chrono::minutes(5)};        // §4.5.3.2.2
  milliseconds rcpt{std::chrono::minutes(5)};        // §4.5.3.2.3
  milliseconds data_init{std::chrono::minutes(2)};   // §4.5.3.2.4
  milliseconds data_block{std::chrono::minutes(3)};  // §4.5.3.2.5
  milliseconds data_end{std::chrono::minutes(10)};   // §4.5.3.2.6
};

enum class TLSMode {
  kNone,           // plain text, even if STARTTLS is offered
  kOpportunistic,  // STARTTLS when offered (RFC 3207, RFC 7435); a failing handshake is a temporary
                   // failure
  kStartTLS,       // STARTTLS required (submission, MTA-STS, DANE)
  kImplicit,       // TLS from the first byte (port 465, RFC 8314 §3.3)
};

struct AuthOptions {
  std::string username;  // login address
  std::string password;  // empty with EXTERNAL
  // A mechanism to use (upper case, e.g. "SCRAM-SHA-256", "EXTERNAL"); empty:
  // the strongest both support: SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS,
  // SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN (only with TLS), and
  // EXTERNAL when there is no password. With a client certificate, no
  // password and no mechanism, a server that does not offer EXTERNAL gets
  // no AUTH at all (the certificate authenticates the TLS connection,
  // mox-smtpd(8) "Authentication").
  std::string mechanism;
  std::string authzid;  // authorization identity, normally empty
};

struct Options {
  std::string local_hostname = "localhost";  // EHLO/HELO argument
  TLSMode tls = TLSMode::kOpportunistic;
  // Verify the server's certificate chain and that it names the host given
  // to dial()/start(). Without verification the TLS version and cipher are
  // still recorded (tls_description()).
  bool tls_verify = true;
  std::string ca_file, ca_dir;  // both empty: the system trust store
  // Presented in the TLS handshake (mox-smtpd(8) "Authentication": SASL
  // EXTERNAL / the connection is authenticated by its public key).
  std::shared_ptr<const tls::CertKey> client_cert;
  std::optional<AuthOptions> auth;  // AUTH after EHLO (and TLS); none: no AUTH
  Timeouts timeouts;
  // Receives one line per event ("mx.example.com [192.0.2.1]:25: ...").
  std::function<void(const std::string&)> log;
};

// The message bytes, borrowed: in memory, or a file read with pread(2)
// from offset 0 (streamed, never wholly in memory). The source must not
// change during deliver().
class Message {
 public:
  static Message bytes(std::string_view data) { return Message(data, -1, {}); }
  // The file, after `prefix` (e.g. the queue's DKIM-Signature fields).
  static Message file(int fd, std::string_view prefix = {}) { return Message({}, fd, prefix); }
  std::string_view data() const { return data_; }
  int fd() const { return fd_; }
  std::string_view prefix() const { return prefix_; }

 private:
  Message(std::string_view d, int fd, std::string_view prefix)
      : data_(d), fd_(fd), prefix_(prefix) {}
  std::string_view data_;
  int fd_;
  std::string_view prefix_;
};

struct Envelope {
  std::optional<smtp::Address> mail_from;  // nullopt: the null reverse-path "<>" (DSNs)
  std::vector<smtp::Address> rcpts;        // at least one
  // The message needs SMTPUTF8 although the addresses are ASCII, e.g. for
  // UTF-8 header fields (RFC 6532). Non-ASCII addresses imply it.
  bool smtputf8 = false;
  // RFC 8689 REQUIRETLS: only over TLS to a server announcing it.
  bool require_tls = false;
};

struct RcptResult {
  smtp::Address rcpt;
  Reply reply;  // 250/251: accepted
  bool accepted() const { return reply.code / 100 == 2; }
};

// The result of one transaction.
struct Delivery {
  // One per envelope recipient, in order; empty if the transaction failed
  // before RCPT (then `failure` says why).
  std::vector<RcptResult> rcpts;
  std::optional<Reply> data;  // the reply to the final "." when data was sent
  // A failure of the whole message (MAIL, DATA, ".", network, a needed
  // extension missing), or nullopt.
  std::optional<Failure> failure;

  // What happened to envelope recipient i: nullopt if the server accepted
  // the message for it; its own RCPT failure; else the message's failure.
  std::optional<Failure> result(size_t i) const;
};

class Client {
 public:
  // Connects to each of `ips` in turn on `port` until one answers, then
  // reads the greeting, sends EHLO, does TLS as o.tls asks (EHLO again
  // after STARTTLS, RFC 3207 §4.2) and AUTH if o.auth is set. `host` is
  // the name for logs, SNI and certificate verification (an IP if there
  // is no name). The failure is the last address's.
  static Outcome<Client> dial(const std::string& host, const std::vector<std::string>& ips,
                              int port, const Options& o);
  // The same over an already connected socket (or socketpair, in tests).
  static Outcome<Client> start(net::Conn conn, const std::string& host, const Options& o);

  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  ~Client();  // closes without QUIT; call close() for a polite end

  // One transaction: MAIL, RCPT for each recipient, DATA (RFC 5321 §3.3),
  // pipelined when the server supports it (RFC 2920). Sends RSET first if
  // an earlier transaction was left open. The recipients that were refused
  // do not stop the others; if all are refused no data is sent. After a
  // failure with a network error or 421 the client is no longer usable().
  Delivery deliver(const Envelope& env, const Message& msg);

  // QUIT (waiting briefly for its reply) and close. Idempotent.
  void close();

  bool usable() const;
  const Extensions& extensions() const;
  bool tls() const;
  // "version=tls1.3 ciphersuite=... sni=..." or "" without TLS.
  std::string tls_description() const;
  // The SASL mechanism used, or "" without AUTH.
  const std::string& auth_mechanism() const;
  // "host [ip]:port" for logs.
  const std::string& remote() const;

 private:
  struct State;
  explicit Client(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace mox::smtpclient
