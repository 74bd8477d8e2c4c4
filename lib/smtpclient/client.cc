// Client: connecting, the greeting, EHLO, TLS, and the I/O helpers. AUTH is
// in auth.cc, transactions in deliver.cc.
#include "smtpclient/client.h"

#include "net/dial.h"
#include "smtpclient/internal.h"
#include "tls/client.h"

namespace mox::smtpclient {

std::string_view stage_name(Stage s) {
  switch (s) {
    case Stage::kConnect:
      return "connect";
    case Stage::kGreeting:
      return "greeting";
    case Stage::kEhlo:
      return "ehlo";
    case Stage::kStartTLS:
      return "starttls";
    case Stage::kTLSHandshake:
      return "tls handshake";
    case Stage::kAuth:
      return "auth";
    case Stage::kMail:
      return "mail";
    case Stage::kRcpt:
      return "rcpt";
    case Stage::kData:
      return "data";
    case Stage::kDot:
      return "dot";
  }
  return "?";
}

Failure reply_failure(Stage stage, Reply r) {
  Failure f;
  f.stage = stage;
  f.permanent = r.permanent();
  f.message = std::string(stage_name(stage)) + ": " + r.str();
  f.reply = std::move(r);
  return f;
}

Failure failure(Stage stage, bool permanent, const std::string& what) {
  Failure f;
  f.stage = stage;
  f.permanent = permanent;
  f.message = std::string(stage_name(stage)) + ": " + what;
  return f;
}

// ---------------------------------------------------------------------------
// I/O

void Client::State::log(const std::string& line) const {
  if (opts.log) opts.log(remote + ": " + line);
}

Failure Client::State::io_failure(Stage stage, const Error& e) {
  usable = false;
  return failure(stage, false, e.message);
}

std::optional<Failure> Client::State::write(Stage stage, std::string_view data,
                                            milliseconds timeout) {
  if (!usable) return failure(stage, false, "connection not usable");
  if (auto st = conn.write_all(data, timeout); !st) return io_failure(stage, st.error());
  return std::nullopt;
}

Outcome<Reply> Client::State::read_reply(Stage stage, milliseconds timeout) {
  if (!usable) return failure(stage, false, "connection not usable");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (true) {
    auto r = parser.next();
    if (!r) return io_failure(stage, r.error());
    if (r->has_value()) {
      Reply reply = std::move(**r);
      if (reply.code == 421) usable = false;
      return reply;
    }
    auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return io_failure(stage, timeout_error("timeout"));
    auto n = conn.read_some(buf, sizeof buf, left);
    if (!n) return io_failure(stage, n.error());
    if (*n == 0) return io_failure(stage, temporary_error("connection closed by server"));
    parser.feed(std::string_view(buf, *n));
  }
}

Outcome<Reply> Client::State::command(Stage stage, std::string_view line, milliseconds timeout) {
  std::string out(line);
  out += "\r\n";
  if (auto f = write(stage, out, timeout)) return *f;
  return read_reply(stage, timeout);
}

// ---------------------------------------------------------------------------
// Session setup

std::optional<Failure> Client::State::handshake() {
  auto st = conn.start_tls_client(tls_ctx.get(), host, opts.timeouts.tls_handshake);
  if (!st) {
    usable = false;
    Failure f;
    f.stage = Stage::kTLSHandshake;
    f.message = st.error().message;  // "tls handshake: ..." or "timeout"
    if (f.message.rfind("tls handshake", 0) != 0) f.message = "tls handshake: " + f.message;
    return f;
  }
  log("tls: " + conn.tls_description() +
      (opts.tls_verify ? " (certificate verified)" : " (certificate not verified)"));
  return std::nullopt;
}

std::optional<Failure> Client::State::greeting() {
  // RFC 5321 §4.3.1: 220 to go on; 554 (or 421) to refuse.
  MOX_ASSIGN(Reply r, read_reply(Stage::kGreeting, opts.timeouts.greeting));
  if (r.code != 220) {
    if (usable) (void)command(Stage::kGreeting, "QUIT", std::chrono::seconds(5));
    usable = false;
    return reply_failure(Stage::kGreeting, std::move(r));
  }
  return std::nullopt;
}

std::optional<Failure> Client::State::ehlo() {
  MOX_ASSIGN(Reply r, command(Stage::kEhlo, "EHLO " + opts.local_hostname, opts.timeouts.command));
  if (r.code == 250) {
    ext = parse_ehlo(r);
    return std::nullopt;
  }
  // RFC 5321 §3.2: a server that does not know EHLO says 500 or 502; fall
  // back to HELO, without extensions.
  if (r.code != 500 && r.code != 502) return reply_failure(Stage::kEhlo, std::move(r));
  MOX_ASSIGN(Reply h, command(Stage::kEhlo, "HELO " + opts.local_hostname, opts.timeouts.command));
  if (h.code != 250) return reply_failure(Stage::kEhlo, std::move(h));
  ext = Extensions();
  log("no EHLO, using HELO");
  return std::nullopt;
}

std::optional<Failure> Client::State::starttls() {
  MOX_ASSIGN(Reply r, command(Stage::kStartTLS, "STARTTLS", opts.timeouts.command));
  if (r.code != 220) return reply_failure(Stage::kStartTLS, std::move(r));
  // RFC 3207 §5 / CVE-2011-0411 (in reverse): anything the server sent
  // after its 220 and before the handshake could be injected; refuse it.
  if (parser.buffered() > 0) {
    usable = false;
    return failure(Stage::kStartTLS, false, "server sent data after its STARTTLS reply");
  }
  if (auto f = handshake()) {
    f->message = "starttls: " + f->message;  // a temporary failure that says so
    return f;
  }
  // RFC 3207 §4.2: forget what was learned before TLS and ask again.
  ext = Extensions();
  return ehlo();
}

std::optional<Failure> Client::State::setup() {
  if (opts.tls != TLSMode::kNone) {
    tls::ClientTLSOptions to;
    to.verify = opts.tls_verify;
    to.ca_file = opts.ca_file;
    to.ca_dir = opts.ca_dir;
    to.client_cert = opts.client_cert;
    auto ctx = tls::make_client_ctx(to);
    if (!ctx) return failure(Stage::kTLSHandshake, false, "tls setup: " + ctx.error().message);
    tls_ctx = std::move(*ctx);
  }
  if (opts.tls == TLSMode::kImplicit) {
    if (auto f = handshake()) return f;
  }
  if (auto f = greeting()) return f;
  if (auto f = ehlo()) return f;
  if (opts.tls == TLSMode::kStartTLS && !ext.starttls) {
    return failure(Stage::kStartTLS, false, "server does not offer STARTTLS, which is required");
  }
  if ((opts.tls == TLSMode::kStartTLS || opts.tls == TLSMode::kOpportunistic) && ext.starttls) {
    if (auto f = starttls()) return f;
  }
  if (opts.auth) {
    if (auto f = authenticate()) return f;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Client

Client::Client(std::unique_ptr<State> s) : s_(std::move(s)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;

Outcome<Client> Client::start(net::Conn conn, const std::string& host, const Options& o) {
  auto s = std::make_unique<State>(std::move(conn), o, host);
  s->remote = host;
  if (!s->conn.remote_ip().empty()) {
    s->remote += " [" + s->conn.remote_ip() + "]:" + std::to_string(s->conn.remote_port());
  }
  if (auto f = s->setup()) {
    s->log("failed: " + f->message);
    s->conn.shutdown();
    return *std::move(f);
  }
  s->log("ready" + std::string(s->conn.tls() ? ", tls" : "") +
         (s->auth_mechanism.empty() ? "" : ", authenticated with " + s->auth_mechanism));
  return Client(std::move(s));
}

Outcome<Client> Client::dial(const std::string& host, const std::vector<std::string>& ips, int port,
                             const Options& o) {
  Failure last = failure(Stage::kConnect, false, "no IP addresses for " + host);
  for (const std::string& ip : ips) {
    std::string where = ip.find(':') == std::string::npos ? ip : "[" + ip + "]";
    where += ":" + std::to_string(port);
    auto fd = net::dial_tcp(ip, port, o.timeouts.connect);
    if (!fd) {
      last = failure(Stage::kConnect, false, where + ": " + fd.error().message);
      if (o.log) o.log(host + " " + where + ": " + last.message);
      continue;
    }
    auto c = start(net::Conn(std::move(*fd)), host, o);
    if (c) return c;
    last = std::move(c).error();
    // RFC 5321 §5.1: on a connection failure try the host's next address;
    // a permanent answer (e.g. 554 greeting, 535 auth) would be the same.
    if (last.permanent || last.stage > Stage::kTLSHandshake) break;
  }
  return last;
}

void Client::close() {
  if (!s_) return;
  if (s_->usable) {
    // RFC 5321 §4.1.1.10; a short wait, the mail is already delivered.
    (void)s_->command(Stage::kMail, "QUIT",
                      std::min<milliseconds>(s_->opts.timeouts.command, std::chrono::seconds(10)));
  }
  s_->usable = false;
  s_->conn.shutdown();
}

bool Client::usable() const { return s_ && s_->usable; }
const Extensions& Client::extensions() const { return s_->ext; }
bool Client::tls() const { return s_->conn.tls(); }
std::string Client::tls_description() const { return s_->conn.tls_description(); }
const std::string& Client::auth_mechanism() const { return s_->auth_mechanism; }
const std::string& Client::remote() const { return s_->remote; }

}  // namespace mox::smtpclient
