// smtpload: SMTP load generator with per-message latency, for bench/smtp-bench.
// A drop-in replacement for bench/smtpload.py: same options, same behaviour,
// the same single JSON object on stdout.
//
// Why it exists: the asyncio generator spends about as much CPU per message
// as the server it measures, and on a 2-core machine that CPU is taken from
// the server, so the numbers describe the pair rather than the server. This
// one uses a thread per session with blocking sockets: a session costs a few
// syscalls per command and sleeps in recv() otherwise.
//
// Runs N concurrent sessions (no pipelining) against one SMTP server. Each
// session connects, says EHLO (optionally STARTTLS + EHLO again), sends up to
// --per-conn messages over that connection (MAIL, RCPT, DATA, body, each
// waiting for its reply), says QUIT, and reconnects, until --duration seconds
// have passed or --count messages have been sent in all.
//
// Latency of one message: from sending MAIL FROM to receiving the final reply
// after the end of DATA. With --connect-only, sessions only do connect +
// banner + EHLO (+ STARTTLS + EHLO) + QUIT in a loop, and the latency is per
// connection.
//
// Build (CLI11 is header-only):
//   c++ -std=c++20 -O2 -g -Wall -Wextra -Werror bench/smtpload.cc -o
// /tmp/smtpload -lssl -lcrypto -pthread
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int sessions = 1;
  long size = 4096;
  int per_conn = 10;
  double duration = 5.0;
  long count = 0;
  std::string rcpt = "admin@mox.example";
  bool starttls = false;
  std::string tls_name = "mail.mox.example";
  bool connect_only = false;
  std::string mail_from = "sender@remote.example";
  std::string tag;          // in Subject and Message-ID; default: the process ID
  std::string prefix_file;  // header fields put before every message (a DKIM-Signature)
  bool print_message = false;
};

// ---------------------------------------------------------------- errors

// Errors are values (docs/DESIGN.md "Code conventions"): a failed step carries
// the text that goes into error_samples, the session closes the connection and
// counts it. Nothing here throws.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status fail(std::string what) {
    Status s;
    s.error_ = what.empty() ? "unknown error" : std::move(what);
    return s;
  }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

// Same text as Python's str(OSError): "[Errno 104] Connection reset by peer".
std::string errno_text(int e) {
  return "[Errno " + std::to_string(e) + "] " + std::generic_category().message(e);
}

// Python's repr() of a str, as the Python generator puts the unexpected reply
// into its error text. Bytes >= 0x80 pass through; the JSON writer decodes
// them as UTF-8.
std::string py_repr(std::string_view s) {
  char q = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos) ? '"'
                                                                                             : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == q || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
  return out;
}

std::string_view strip(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// ---------------------------------------------------------------- RAII

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    reset();
    fd_ = std::exchange(o.fd_, -1);
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct AddrinfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

// A client context like the Python one (PROTOCOL_TLS_CLIENT, CERT_NONE,
// check_hostname off): the benchmark measures the server, not PKI.
SslCtxPtr make_tls_context() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return ctx;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // A peer that closes without close_notify reads as end of stream, which
  // the reply reader reports as "connection closed" like for plain TCP.
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  return ctx;
}

// ---------------------------------------------------------------- connection

// One SMTP client connection: blocking socket, optional TLS on top, and a
// small buffered line reader. Not thread-safe; each session owns one.
class Conn {
 public:
  ~Conn() { close(); }

  Status connect(const std::string& host, int port);
  Status start_tls(SSL_CTX* ctx, const std::string& name);
  Status write(std::string_view data);
  // Writes a and b with one syscall on plain TCP (writev): the message body
  // and its ".\r\n" go out together.
  Status write2(std::string_view a, std::string_view b);
  // Sends `line`, then waits for the reply and checks its code.
  Status command(std::string_view line, int want);
  Status expect(int want);
  void close();

 private:
  Status read_line(std::string& line);
  Status read_reply(int& code);
  Status fill(size_t& got);
  Status tls_failure(int ret);

  // asyncio's StreamReader limit; a longer reply line is not SMTP.
  static constexpr size_t kMaxLine = 64 * 1024;

  Fd fd_;
  SslPtr ssl_;
  bool ssl_failed_ = false;  // no SSL_shutdown after a fatal TLS error
  std::array<char, 4096> buf_;
  size_t pos_ = 0, len_ = 0;
  std::string line_, reply_;
  std::string scratch_;  // write2 over TLS
};

Status connect_one(const addrinfo* ai, Fd& out) {
  Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
  if (fd.get() < 0) return Status::fail(errno_text(errno));
  while (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINTR) return Status::fail(errno_text(errno));
  }
  // Commands are small and each waits for its reply: Nagle would add delay.
  int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  out = std::move(fd);
  return {};
}

// Resolves on every attempt and tries each address in turn, as asyncio's
// open_connection() does.
Status Conn::connect(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) return Status::fail("[Errno " + std::to_string(rc) + "] " + gai_strerror(rc));
  std::unique_ptr<addrinfo, AddrinfoFree> list(res);
  Status last = Status::fail("no address for " + host);
  for (const addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    last = connect_one(ai, fd_);
    if (last.ok()) break;
  }
  return last;
}

// Turns a failed SSL_* call into an error text, and empties the thread's
// OpenSSL error queue so the next call starts clean.
Status Conn::tls_failure(int ret) {
  int saved_errno = errno;
  int kind = SSL_get_error(ssl_.get(), ret);
  if (kind == SSL_ERROR_SSL || kind == SSL_ERROR_SYSCALL) ssl_failed_ = true;
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    return Status::fail(std::string("[SSL] ") +
                        (reason ? reason : "error " + std::to_string(code)));
  }
  if (kind == SSL_ERROR_SYSCALL && saved_errno != 0) return Status::fail(errno_text(saved_errno));
  if (kind == SSL_ERROR_SYSCALL || kind == SSL_ERROR_ZERO_RETURN)
    return Status::fail("connection closed");
  return Status::fail("[SSL] error " + std::to_string(kind));
}

Status Conn::start_tls(SSL_CTX* ctx, const std::string& name) {
  // RFC 3207 §4.2: nothing the server sent before the handshake may be used
  // after it; a reply pipelined behind the 220 would be an injection.
  pos_ = len_ = 0;
  ssl_.reset(SSL_new(ctx));
  if (!ssl_) return Status::fail("[SSL] SSL_new failed");
  SSL_set_fd(ssl_.get(), fd_.get());
  // Python's ssl module sends no SNI for an IP address (RFC 6066 §3).
  in6_addr ip;
  if (inet_pton(AF_INET, name.c_str(), &ip) != 1 && inet_pton(AF_INET6, name.c_str(), &ip) != 1) {
    SSL_set_tlsext_host_name(ssl_.get(), name.c_str());
  }
  int ret = SSL_connect(ssl_.get());
  if (ret != 1) return tls_failure(ret);
  return {};
}

Status Conn::write(std::string_view data) {
  while (!data.empty()) {
    if (ssl_) {
      size_t n = 0;
      int ret = SSL_write_ex(ssl_.get(), data.data(), data.size(), &n);
      if (ret != 1) return tls_failure(ret);
      data.remove_prefix(n);
      continue;
    }
    ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::fail(errno_text(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status Conn::write2(std::string_view a, std::string_view b) {
  if (ssl_) {
    // TLS has no gather write; one buffer makes one SSL_write.
    scratch_.assign(a);
    scratch_.append(b);
    return write(scratch_);
  }
  while (!a.empty()) {
    iovec iov[2] = {{const_cast<char*>(a.data()), a.size()},
                    {const_cast<char*>(b.data()), b.size()}};
    ssize_t n = ::writev(fd_.get(), iov, 2);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::fail(errno_text(errno));
    size_t sent = static_cast<size_t>(n);
    size_t from_a = std::min(sent, a.size());
    a.remove_prefix(from_a);
    b.remove_prefix(sent - from_a);
  }
  return write(b);
}

// Refills the read buffer; got == 0 means end of stream.
Status Conn::fill(size_t& got) {
  pos_ = len_ = 0;
  for (;;) {
    if (ssl_) {
      int ret = SSL_read_ex(ssl_.get(), buf_.data(), buf_.size(), &got);
      if (ret == 1) break;
      if (SSL_get_error(ssl_.get(), ret) == SSL_ERROR_ZERO_RETURN) {
        got = 0;
        break;
      }
      return tls_failure(ret);
    }
    ssize_t n = ::recv(fd_.get(), buf_.data(), buf_.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::fail(errno_text(errno));
    got = static_cast<size_t>(n);
    break;
  }
  len_ = got;
  return {};
}

// One line including its "\n". At end of stream the partial line, if any,
// is returned as asyncio's readline() does; an empty line means closed.
Status Conn::read_line(std::string& line) {
  line.clear();
  for (;;) {
    if (pos_ == len_) {
      size_t got = 0;
      if (Status s = fill(got); !s.ok()) return s;
      if (got == 0) return {};
    }
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', len_ - pos_);
    size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) + 1 : len_ - pos_;
    line.append(start, take);
    pos_ += take;
    if (nl) return {};
    if (line.size() > kMaxLine) return Status::fail("reply line too long");
  }
}

// RFC 5321 §4.2.1: lines with '-' after the code continue the reply; the
// code is taken from the last line. reply_ keeps the whole text for errors.
Status Conn::read_reply(int& code) {
  reply_.clear();
  for (;;) {
    if (Status s = read_line(line_); !s.ok()) return s;
    if (line_.empty()) return Status::fail("connection closed");
    reply_ += line_;
    if (line_.size() < 4 || line_[3] != '-') break;
  }
  auto [end, ec] =
      std::from_chars(line_.data(), line_.data() + std::min<size_t>(3, line_.size()), code);
  if (ec != std::errc() || end != line_.data() + 3) {
    return Status::fail("malformed reply " + py_repr(strip(reply_)));
  }
  return {};
}

Status Conn::expect(int want) {
  int code = 0;
  if (Status s = read_reply(code); !s.ok()) return s;
  if (code != want) {
    return Status::fail("expected " + std::to_string(want) + ", got " + py_repr(strip(reply_)));
  }
  return {};
}

Status Conn::command(std::string_view line, int want) {
  if (Status s = write(line); !s.ok()) return s;
  return expect(want);
}

void Conn::close() {
  // One SSL_shutdown sends close_notify without waiting for the peer's.
  if (ssl_ && !ssl_failed_) SSL_shutdown(ssl_.get());
  ERR_clear_error();
  ssl_.reset();
  ssl_failed_ = false;
  fd_.reset();
  pos_ = len_ = 0;
}

// ---------------------------------------------------------------- message

constexpr std::string_view kBodyLine =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd\r\n";

// make_message(size, 0, tag) of smtpload.py, cut where the Message-ID's
// sequence number goes: a message is before + seq + after + tail, so only
// the short header is built per message and the body lines (with the final
// ".\r\n", the lines being dot-safe) are shared read-only by all sessions.
// As in the Python, only the Message-ID changes; the Subject keeps seq 0.
struct MessageTemplate {
  std::string before_seq;
  std::string after_seq;
  std::string tail;
};

MessageTemplate make_template(long size, const std::string& tag, const std::string& prefix,
                              const std::string& from) {
  MessageTemplate m;
  m.before_seq = prefix + "From: <" + from +
                 ">\r\n"
                 "To: <admin@mox.example>\r\n"
                 "Subject: bench " +
                 tag +
                 " 0\r\n"
                 "Message-ID: <" +
                 tag + ".";
  m.after_seq =
      "@remote.example>\r\n"
      "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"
      "\r\n";
  long head = static_cast<long>(m.before_seq.size() + 1 + m.after_seq.size());  // with seq "0"
  long lines = std::max(1L, (size - head) / static_cast<long>(kBodyLine.size()));
  m.tail.reserve(static_cast<size_t>(lines) * kBodyLine.size() + 3);
  for (long i = 0; i < lines; ++i) m.tail += kBodyLine;
  m.tail += ".\r\n";
  return m;
}

// ---------------------------------------------------------------- sessions

// What all sessions share. The counters are the only mutable state and are
// atomic; everything else is read-only while the sessions run.
struct Shared {
  const Options& opts;
  SSL_CTX* tls = nullptr;  // null without --starttls
  MessageTemplate msg;
  Clock::time_point deadline{};
  bool limited = false;  // --count given: budget is the messages left
  std::atomic<long> budget{0};
  std::atomic<unsigned long> seq{0};  // Message-ID numbers, from 1

  bool budget_left() const { return !limited || budget.load() > 0; }
  // Claims one message of the --count budget; false once it is spent.
  bool take_budget() {
    if (!limited) return true;
    long v = budget.load();
    while (v > 0) {
      if (budget.compare_exchange_weak(v, v - 1)) return true;
    }
    return false;
  }
};

// One session's results; merged after the threads are joined, so sessions
// never contend on a lock.
struct Stats {
  std::vector<double> lat;       // seconds per message (per connection with --connect-only)
  std::vector<double> ehlo_tls;  // seconds for the EHLO right after the TLS handshake
  long ok = 0, errors = 0, conns = 0;
  std::vector<std::string> error_samples;

  void error(std::string what) {
    ++errors;
    if (error_samples.size() < 10) error_samples.push_back(std::move(what));
  }
  void merge(Stats& o) {
    lat.insert(lat.end(), o.lat.begin(), o.lat.end());
    ehlo_tls.insert(ehlo_tls.end(), o.ehlo_tls.begin(), o.ehlo_tls.end());
    ok += o.ok;
    errors += o.errors;
    conns += o.conns;
    for (auto& e : o.error_samples) {
      if (error_samples.size() < 10) error_samples.push_back(std::move(e));
    }
  }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// One thread's loop of connections; see the file comment.
class Session {
 public:
  explicit Session(Shared& sh)
      : sh_(sh),
        rcpt_cmd_("RCPT TO:<" + sh.opts.rcpt + ">\r\n"),
        mail_cmd_("MAIL FROM:<" + sh.opts.mail_from + ">\r\n") {}
  void run();
  Stats& stats() { return stats_; }

 private:
  Status greet(Conn& c);
  Status connect_only(Conn& c, Clock::time_point t_conn);
  Status messages(Conn& c);
  Status one_message(Conn& c);

  Shared& sh_;
  Stats stats_;
  std::string rcpt_cmd_;
  std::string mail_cmd_;
  std::string head_;  // this message's header block, reused
};

void Session::run() {
  const Options& o = sh_.opts;
  while (Clock::now() < sh_.deadline && sh_.budget_left()) {
    Clock::time_point t_conn = Clock::now();
    Conn c;
    if (Status s = c.connect(o.host, o.port); !s.ok()) {
      stats_.error("connect: " + s.error());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    ++stats_.conns;
    Status s = greet(c);
    if (s.ok()) s = o.connect_only ? connect_only(c, t_conn) : messages(c);
    if (!s.ok()) stats_.error(s.error());
  }  // ~Conn closes, after an error as after QUIT
}

// Banner, EHLO, and with --starttls the upgrade and the EHLO after it.
Status Session::greet(Conn& c) {
  static constexpr std::string_view kEhlo = "EHLO client.remote.example\r\n";
  if (Status s = c.expect(220); !s.ok()) return s;
  if (Status s = c.command(kEhlo, 250); !s.ok()) return s;
  if (sh_.tls == nullptr) return {};
  if (Status s = c.command("STARTTLS\r\n", 220); !s.ok()) return s;
  if (Status s = c.start_tls(sh_.tls, sh_.opts.tls_name); !s.ok()) return s;
  Clock::time_point t = Clock::now();
  if (Status s = c.command(kEhlo, 250); !s.ok()) return s;
  stats_.ehlo_tls.push_back(seconds_since(t));
  return {};
}

Status Session::connect_only(Conn& c, Clock::time_point t_conn) {
  if (Status s = c.command("QUIT\r\n", 221); !s.ok()) return s;
  stats_.lat.push_back(seconds_since(t_conn));
  ++stats_.ok;
  return {};
}

Status Session::messages(Conn& c) {
  for (int i = 0; i < sh_.opts.per_conn; ++i) {
    if (Clock::now() >= sh_.deadline || !sh_.take_budget()) break;
    if (Status s = one_message(c); !s.ok()) return s;
  }
  return c.command("QUIT\r\n", 221);
}

Status Session::one_message(Conn& c) {
  head_.assign(sh_.msg.before_seq);
  head_ += std::to_string(sh_.seq.fetch_add(1) + 1);
  head_ += sh_.msg.after_seq;
  Clock::time_point t0 = Clock::now();
  if (Status s = c.command(mail_cmd_, 250); !s.ok()) return s;
  if (Status s = c.command(rcpt_cmd_, 250); !s.ok()) return s;
  if (Status s = c.command("DATA\r\n", 354); !s.ok()) return s;
  if (Status s = c.write2(head_, sh_.msg.tail); !s.ok()) return s;
  if (Status s = c.expect(250); !s.ok()) return s;
  stats_.lat.push_back(seconds_since(t0));
  ++stats_.ok;
  return {};
}

// ---------------------------------------------------------------- report

// pct() of smtpload.py: nearest rank, with Python's round() (ties to even,
// which std::nearbyint does in the default rounding mode).
std::optional<double> pct(const std::vector<double>& sorted, int p) {
  if (sorted.empty()) return std::nullopt;
  long n = static_cast<long>(sorted.size());
  long r = static_cast<long>(std::nearbyint(p / 100.0 * static_cast<double>(n) + 0.5));
  long k = std::min(n - 1, std::max(0L, r - 1));
  return sorted[static_cast<size_t>(k)];
}

// Python's repr(float), as json.dump writes it: the shortest digits that
// round-trip, positional for decimal exponents -4..15, else d.ddde±XX.
std::string py_float(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64] = {};
  std::to_chars(buf, buf + sizeof buf - 1, v, std::chars_format::scientific);
  std::string_view s(buf);
  std::string out;
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  size_t e = s.find('e');
  std::string digits(1, s[0]);
  if (e > 1) digits += s.substr(2, e - 2);  // skip "d."
  int exp = std::atoi(s.data() + e + 1);
  int n = static_cast<int>(digits.size());
  if (exp < -4 || exp >= 16) {
    out += digits[0];
    if (n > 1) out += "." + digits.substr(1);
    char tail[16];
    std::snprintf(tail, sizeof tail, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + tail;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  if (n <= exp + 1) return out + digits + std::string(static_cast<size_t>(exp + 1 - n), '0') + ".0";
  return out + digits.substr(0, static_cast<size_t>(exp + 1)) + "." +
         digits.substr(static_cast<size_t>(exp + 1));
}

// Decodes one UTF-8 sequence at s[i], advancing i; a byte that does not
// start a valid sequence becomes U+FFFD, as Python's errors='replace'.
char32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int more = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
  if (more < 0 || i + static_cast<size_t>(more) > s.size()) return 0xfffd;
  char32_t cp = c & (0x3f >> more);
  for (int k = 0; k < more; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((cc & 0xc0) != 0x80) return 0xfffd;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0xfffd;
  i += static_cast<size_t>(more);
  return cp;
}

// A JSON string as json.dump writes it (ensure_ascii): ASCII only, \uXXXX
// for the rest, so invalid UTF-8 from a server cannot break the output.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  char hex[16];
  for (size_t i = 0; i < s.size();) {
    char32_t cp = next_code_point(s, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7f) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned>(cp));
      out += hex;
    } else {
      cp -= 0x10000;
      std::snprintf(hex, sizeof hex, "\\u%04x\\u%04x", static_cast<unsigned>(0xd800 + (cp >> 10)),
                    static_cast<unsigned>(0xdc00 + (cp & 0x3ff)));
      out += hex;
    }
  }
  return out + "\"";
}

std::string json_ms(std::optional<double> seconds) {
  return seconds ? py_float(*seconds * 1000) : "null";
}

double cpu_seconds(const rusage& ru) {
  auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

struct Run {
  Stats stats;
  double elapsed = 0, start_wall = 0, cpu = 0;
};

// The keys and their order are those of smtpload.py's output, with
// json.dump's default separators, so either generator's output parses alike.
std::string report(const Options& o, Run& r) {
  Stats& st = r.stats;
  std::sort(st.lat.begin(), st.lat.end());
  std::sort(st.ehlo_tls.begin(), st.ehlo_tls.end());
  std::string samples;
  for (const auto& e : st.error_samples) samples += (samples.empty() ? "" : ", ") + json_string(e);
  std::string rate = r.elapsed > 0 ? py_float(static_cast<double>(st.ok) / r.elapsed) : "0";
  std::optional<double> max;
  if (!st.lat.empty()) max = st.lat.back();
  return "{\"sessions\": " + std::to_string(o.sessions) + ", \"size\": " + std::to_string(o.size) +
         ", \"ok\": " + std::to_string(st.ok) + ", \"errors\": " + std::to_string(st.errors) +
         ", \"error_samples\": [" + samples + "], \"connections\": " + std::to_string(st.conns) +
         ", \"elapsed\": " + py_float(r.elapsed) + ", \"start_wall\": " + py_float(r.start_wall) +
         ", \"rate\": " + rate + ", \"p50_ms\": " + json_ms(pct(st.lat, 50)) +
         ", \"p99_ms\": " + json_ms(pct(st.lat, 99)) + ", \"max_ms\": " + json_ms(max) +
         ", \"ehlo_after_tls_p50_ms\": " + json_ms(pct(st.ehlo_tls, 50)) +
         ", \"client_cpu_s\": " + py_float(r.cpu) + "}\n";
}

// Runs the sessions, one thread each, and merges their results.
Run run_load(Shared& sh) {
  Run r;
  r.start_wall =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  Clock::time_point t0 = Clock::now();
  sh.deadline = t0 + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(sh.opts.duration));
  rusage ru0{}, ru1{};
  getrusage(RUSAGE_SELF, &ru0);
  std::vector<std::unique_ptr<Session>> sessions;
  std::vector<std::thread> threads;
  for (int i = 0; i < sh.opts.sessions; ++i) {
    sessions.push_back(std::make_unique<Session>(sh));
    threads.emplace_back(&Session::run, sessions.back().get());
  }
  for (auto& t : threads) t.join();
  r.elapsed = seconds_since(t0);
  getrusage(RUSAGE_SELF, &ru1);
  r.cpu = cpu_seconds(ru1) - cpu_seconds(ru0);
  for (auto& s : sessions) r.stats.merge(s->stats());
  return r;
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("--host", o.host, "server address")->capture_default_str();
  app.add_option("--port", o.port, "server port")->required();
  app.add_option("--sessions", o.sessions, "concurrent sessions (one thread each)")
      ->capture_default_str();
  app.add_option("--size", o.size, "message size in bytes (headers included)")
      ->capture_default_str();
  app.add_option("--per-conn", o.per_conn, "messages per connection")->capture_default_str();
  app.add_option("--duration", o.duration, "seconds (upper bound)")->capture_default_str();
  app.add_option("--count", o.count, "stop after this many messages in all (0: no limit)")
      ->capture_default_str();
  app.add_option("--rcpt", o.rcpt, "RCPT TO address")->capture_default_str();
  app.add_flag("--starttls", o.starttls, "STARTTLS, then EHLO again");
  app.add_option("--tls-name", o.tls_name, "SNI server name for STARTTLS")->capture_default_str();
  app.add_flag("--connect-only", o.connect_only, "connect+EHLO+QUIT loop");
  app.add_option("--mail-from", o.mail_from, "MAIL FROM address, also the From header")
      ->capture_default_str();
  app.add_option("--tag", o.tag, "tag in Subject and Message-ID (default: the process ID)");
  app.add_option(
      "--prefix-file", o.prefix_file,
      "header fields (CRLF) put before every message, e.g. a DKIM-Signature that signs\n"
      "the fields other than Message-ID and the body (--print-message shows what to sign)");
  app.add_flag("--print-message", o.print_message,
               "print the first message as sent (without the final dot) and exit");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "SMTP load generator with per-message latency, for bench/smtp-bench (C++ version of\n"
      "smtpload.py). Prints one JSON object on stdout.",
      "smtpload"};
  add_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2 as with argparse, so callers see no difference.
    return app.exit(e) == 0 ? 0 : 2;
  }

  // A server that closes mid-write must be a counted error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  SslCtxPtr ctx;
  if (o.starttls) {
    ctx = make_tls_context();
    if (!ctx) {
      std::fprintf(stderr, "smtpload: cannot create TLS context\n");
      return 1;
    }
  }
  std::string prefix;
  if (!o.prefix_file.empty()) {
    std::ifstream in(o.prefix_file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "smtpload: cannot read %s\n", o.prefix_file.c_str());
      return 1;
    }
    prefix.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string tag = o.tag.empty() ? std::to_string(getpid()) : o.tag;
  Shared sh{.opts = o, .tls = ctx.get(), .msg = make_template(o.size, tag, prefix, o.mail_from)};
  if (o.print_message) {
    std::string m = sh.msg.before_seq + "1" + sh.msg.after_seq +
                    sh.msg.tail.substr(0, sh.msg.tail.size() - 3);  // without ".\r\n"
    std::fwrite(m.data(), 1, m.size(), stdout);
    return 0;
  }
  // As in the Python, any non-zero --count is a budget (a negative one is spent).
  sh.limited = o.count != 0;
  sh.budget.store(o.count);
  Run r = run_load(sh);
  std::string out = report(o, r);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
