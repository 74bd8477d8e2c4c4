// The Backend of SMTP sessions over the real config and stores.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/connauth.h"
#include "config/config.h"
#include "db/sqlite.h"
#include "mailauth/mailauth.h"
#include "message/parsed.h"
#include "queue/queuedb.h"
#include "smtpserver/backend.h"
#include "store/deliver.h"
#include "store/shared.h"

namespace mox::smtpserver {

class MxAuth;

struct ConnInfo {
  std::string remote_ip, local_ip;
  bool submission = false;
  std::string hostname;  // of the listener, for Received headers
  // Mail from outside: check its origin (SPF, DKIM, DMARC, iprev) with
  // this; null: no checks (submission).
  MxAuth* mx_auth = nullptr;
  int64_t max_failed_login_attempts = auth::kMaxFailedLoginAttempts;  // auth/authdb.h
};

// What the checks of a message's origin add to it (mailauth/mailauth.h).
struct Origin {
  std::string headers;  // Authentication-Results, Received-SPF
  // The message's header section without the fields that claimed our
  // authserv-id (RFC 8601 §5), when there were such fields.
  std::optional<std::string> header;
  std::vector<size_t> dropped;  // with header: the indexes of the fields left out
  store::MessageAuth auth;
};

// The local copies of one message, committed one account after the other.
// Unless keep() is called, the destructor takes them back (store::undeliver):
// a message is delivered to all its local recipients or to none, so that the
// client's retry after a 451 delivers no second copy.
class LocalCopies {
 public:
  LocalCopies() = default;
  LocalCopies(const LocalCopies&) = delete;
  LocalCopies& operator=(const LocalCopies&) = delete;
  ~LocalCopies();
  void add(std::shared_ptr<store::SharedAccount> acc, const store::Delivered& d);
  void keep() { copies_.clear(); }

 private:
  std::vector<std::pair<std::shared_ptr<store::SharedAccount>, store::Delivered>> copies_;
};

class StoreBackend : public Backend {
 public:
  // `pool`: the accounts open in this process, shared by its sessions (a
  // private one when null). The session keeps the accounts it delivered to
  // open until it ends.
  StoreBackend(std::shared_ptr<const config::Config> cfg, ConnInfo conn,
               std::shared_ptr<store::AccountPool> pool = nullptr);
  ~StoreBackend() override;

  RcptResult check_recipient(const smtp::Address& a, const std::string& sender_account) override;
  SenderStatus check_sender(const std::string& account, const smtp::Address& from) override;
  bool auth_allowed() override;
  void auth_attempt(std::string_view mech, std::string_view username, std::string_view account,
                    std::string_view result) override;
  sasl::Context sasl_context(const TLSState& tls) override;
  void transaction_started(const std::string& ehlo, const Transaction& tx) override;
  Result<std::unique_ptr<Spool>> begin_message() override;
  void log_error(std::string_view message) override;
  smtp::Reply deliver(const SessionInfo& info, const Transaction& tx,
                      std::unique_ptr<Spool> spool) override;

  // TLS with the client-certificate login (auth::ConnAuth::start_tls).
  Result<TLSState> start_tls(net::Conn& conn, SSL_CTX* ctx, std::chrono::milliseconds timeout) {
    return auth_.start_tls(conn, ctx, timeout);
  }

 private:
  // The consumers of the message take it parsed once (message/parsed.h),
  // as deliver() made it when the content was complete.
  std::optional<smtp::Reply> check_from_header(const SessionInfo& info,
                                               const message::Parsed& parsed);
  // MX: the checks of the message's origin; a refusal, or what to add.
  std::optional<smtp::Reply> check_origin(const SessionInfo& info, const Transaction& tx,
                                          Spool& spool, const message::Parsed& parsed,
                                          Origin& origin);
  void log_delivered(const SessionInfo& info, const Transaction& tx, const message::Parsed& parsed,
                     const std::string& id, const std::string& extra) const;
  // Logs `what` and its cause, and returns the 451 the client gets.
  smtp::Reply failure(const std::string& what, const Error& cause);
  // Logs that `account` reached a send limit, and returns the 451.
  smtp::Reply send_limit_refusal(const std::string& account, const queue::SendLimitCheck& c);
  Result<std::string> dkim_signatures(const message::Parsed& parsed, const std::string& extra,
                                      int fd) const;
  std::string received_header(const SessionInfo& info, const Transaction& tx, const std::string& id,
                              const std::string& for_rcpt) const;

  std::optional<smtp::Reply> prepare_queued(const SessionInfo& info, const Transaction& tx,
                                            const std::vector<const Recipient*>& remote,
                                            const std::string& id, const std::string& extra,
                                            Spool& spool, const message::Parsed& parsed,
                                            db::Db& qdb, queue::NewMessage& m);
  std::optional<smtp::Reply> deliver_local(const SessionInfo& info, const Transaction& tx,
                                           Spool& spool, const message::Parsed& parsed,
                                           const std::string& id, const std::string& extra,
                                           const Origin* origin, LocalCopies& copies);
  Result<std::shared_ptr<store::SharedAccount>> account(const std::string& name);

  std::shared_ptr<const config::Config> cfg_;
  ConnInfo conn_;
  auth::ConnAuth auth_;
  std::shared_ptr<store::AccountPool> pool_;
  std::map<std::string, std::shared_ptr<store::SharedAccount>> accounts_;
  std::unique_ptr<mailauth::Checks> checks_;  // MX: of this connection's transactions
};

}  // namespace mox::smtpserver
