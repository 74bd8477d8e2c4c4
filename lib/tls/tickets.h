// TLS session-ticket keys shared by all server processes through one file,
// so that a session made with one process resumes with another (docs/DESIGN.md
// "Shared state between processes"; mox keeps them in memory, which one process
// per connection cannot).
//
// The file (e.g. data/tls-ticket-keys, mode 0600, refused if group or others
// may read it) holds up to 8 keys, newest first, one per line:
//   <created unix seconds> <name: 32 hex> <AES-256 key: 64 hex> <HMAC key: 64 hex>
// The newest key encrypts new tickets; it is replaced after a day, and the
// 7 before it still decrypt (as mox). A process creates or rotates the file
// under an exclusive flock on "<file>.lock" and replaces it atomically
// (rename), so processes starting at once agree on the keys.
//
// Ticket format (RFC 5077 §4 "recommended ticket construction", as OpenSSL
// builds it): key_name(16) | IV(16) | AES-256-CBC(state) | HMAC-SHA256.
//
// Thread-safe: a TicketKeys is shared by all connections of an SSL_CTX.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/mutex.h"
#include "util/result.h"

namespace mox::tls {

struct TicketKey {
  int64_t created = 0;  // unix seconds
  std::array<unsigned char, 16> name{};
  std::array<unsigned char, 32> aes{};
  std::array<unsigned char, 32> hmac{};
};

// The file format, exposed for tests. parse: syntax_error naming `path`.
Result<std::vector<TicketKey>> parse_ticket_keys(std::string_view text, const std::string& path);
std::string format_ticket_keys(const std::vector<TicketKey>& keys);

class TicketKeys {
 public:
  static constexpr int64_t kRotateSeconds = 24 * 3600;
  static constexpr size_t kOldKeys = 7;
  // Re-read the file at most this often, to see other processes' rotations.
  static constexpr int64_t kRecheckSeconds = 60;

  // Reads `path`, creating or rotating it if needed. `now` gives unix
  // seconds (injectable clock).
  static Result<std::shared_ptr<TicketKeys>> open(const std::string& path,
                                                  std::function<int64_t()> now);
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;
  ~TicketKeys();  // wipes the keys from memory

  // The key for new tickets, rotating first if it is due.
  Result<TicketKey> encryption_key() EXCLUDES(mu_);
  // The key named `name`, if it is one of ours; *newest tells whether it is
  // the current encryption key (else the client should get a new ticket).
  std::optional<TicketKey> decryption_key(const unsigned char name[16], bool* newest) EXCLUDES(mu_);
  // All keys, newest first (tests).
  std::vector<TicketKey> keys() EXCLUDES(mu_);

 private:
  TicketKeys(std::string path, std::function<int64_t()> now)
      : path_(std::move(path)), now_(std::move(now)) {}
  Status refresh_locked(bool force) REQUIRES(mu_);

  Mutex mu_;
  const std::string path_;
  const std::function<int64_t()> now_;
  std::vector<TicketKey> keys_ GUARDED_BY(mu_);  // newest first, never empty after open()
  int64_t checked_ GUARDED_BY(mu_) = 0;          // when the file was last read
};

// Makes `ctx` encrypt and decrypt session tickets with `keys` (the ctx keeps
// a reference) and sets the session lifetime to 7 days (RFC 8446 §4.6.1
// maximum). Tickets with an older key resume and get a fresh ticket.
Status use_ticket_keys(SSL_CTX* ctx, std::shared_ptr<TicketKeys> keys);

}  // namespace mox::tls
