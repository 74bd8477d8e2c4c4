#include "smtpserver/delivery.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <map>

#include "auth/attempt.h"
#include "auth/authdb.h"
#include "auth/credentials.h"
#include "auth/limiter.h"
#include "authres/header.h"
#include "dkim/config.h"
#include "log/log.h"
#include "log/ratelog.h"
#include "message/address.h"
#include "message/date.h"
#include "message/header.h"
#include "message/msgmap.h"
#include "message/parsed.h"
#include "queue/queuedb.h"
#include "queue/suppress.h"
#include "smtpserver/mxauth.h"
#include "store/account.h"
#include "store/deliver.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace mox::smtpserver {
namespace {

// The message as it arrives: in memory up to kMemorySpool bytes (most mail
// is small, and no file is created and deleted for it), then in an unnamed
// file in DataDir/tmp that disappears with its fd.
constexpr size_t kMemorySpool = 1 << 20;

Result<int> open_spool_file(const std::string& dir) {
  // An unnamed file (O_TMPFILE): no directory entry is made or removed per message.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    MOX_TRY(mkdir_all(dir, 0770));
    fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  }
  if (fd < 0) {
    std::string tmpl = dir + "/spool.XXXXXX";
    fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) return os_error("creating spool file", errno);
    ::unlink(tmpl.c_str());
  }
  return fd;
}

class FileSpool : public Spool {
 public:
  explicit FileSpool(std::string dir) : dir_(std::move(dir)) {}
  ~FileSpool() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status append(std::string_view bytes) override {
    if (fd_ < 0 && mem_.size() + bytes.size() <= kMemorySpool) {
      mem_.append(bytes);
      return {};
    }
    MOX_TRY(spill());
    return write_fd(bytes);
  }
  // The message in memory, if it is there.
  std::optional<std::string_view> data() const {
    if (fd_ >= 0) return std::nullopt;
    return std::string_view(mem_);
  }
  // A file holding the message (from offset 0), made now if it was in
  // memory.
  Result<int> file() {
    MOX_TRY(spill());
    return fd_;
  }

 private:
  Status spill() {
    if (fd_ >= 0) return {};
    MOX_ASSIGN(fd_, open_spool_file(dir_));
    MOX_TRY(write_fd(mem_));
    mem_ = std::string();
    return {};
  }
  Status write_fd(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error("writing spool file", errno);
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }

  std::string dir_;
  std::string mem_;
  int fd_ = -1;
};

// Message-ID and Subject for the queue's listing, from the fields added at
// submission (`extra`: a Message-ID) and then the message's header.
void header_summary(const message::Parsed& parsed, const std::string& extra,
                    std::string& message_id, std::string& subject) {
  auto take = [&](const message::Header& h) {
    for (const auto& f : h.fields) {
      if (f.is("message-id") && message_id.empty()) message_id = f.value;
      if (f.is("subject") && subject.empty()) subject = f.value;
    }
  };
  if (!extra.empty()) {
    if (auto h = message::parse_header(extra + "\r\n")) take(*h);
  }
  if (const message::Header* h = parsed.fields()) take(*h);
}

// The message parsed once, for every check and for the store
// (message/parsed.h): from memory, or from a read-only mapping of the spool
// file.
Result<message::Parsed> parse_spool(FileSpool& fs, int64_t size) {
  if (auto data = fs.data()) return message::parse(*data);
  MOX_ASSIGN(int fd, fs.file());
  MOX_ASSIGN(auto map, message::MappedMessage::map(fd, 0, static_cast<size_t>(size)));
  return message::parse(map.bytes());
}

}  // namespace

LocalCopies::~LocalCopies() {
  for (const auto& [acc, d] : copies_) {
    if (auto st = acc->remove(d); !st) {
      std::cerr << "mox-smtpd: taking back message " << d.id << " from " << acc->dir() << ": "
                << st.error().message << "\n";
    }
  }
}

void LocalCopies::add(std::shared_ptr<store::SharedAccount> acc, const store::Delivered& d) {
  copies_.emplace_back(std::move(acc), d);
}

StoreBackend::StoreBackend(std::shared_ptr<const config::Config> cfg, ConnInfo conn,
                           std::shared_ptr<store::AccountPool> pool)
    : cfg_(cfg),
      conn_(std::move(conn)),
      auth_(cfg, std::string(auth::kProtocolSubmission), conn_.remote_ip, conn_.local_ip,
            conn_.max_failed_login_attempts),
      pool_(pool ? std::move(pool) : std::make_shared<store::AccountPool>()) {}

StoreBackend::~StoreBackend() = default;

Backend::RcptResult StoreBackend::check_recipient(const smtp::Address& a,
                                                  const std::string& sender_account) {
  auto r = config::Lookup(*cfg_).address(a, true, true);
  switch (r.status) {
    case config::LookupResult::Status::kFound:
      // An account being removed receives nothing (docs/DESIGN.md "Account
      // removal").
      if (db::Db* db = auth_.db()) {
        if (auto gone = auth::account_removal_pending(*db, r.account); gone && *gone) {
          return {RcptStatus::kUnknown, "", ""};
        }
      }
      return {RcptStatus::kLocal, r.account, r.mailbox};
    case config::LookupResult::Status::kDomainDisabled:
      return {RcptStatus::kDomainDisabled, "", ""};
    case config::LookupResult::Status::kDomainUnknown:
      if (!sender_account.empty()) {
        auto qdb = queue::open_queue_db(cfg_->data_dir());
        if (qdb) {
          auto sup = queue::lookup_suppression(*qdb, sender_account, a.str());
          if (sup && *sup) return {RcptStatus::kSuppressed, "", ""};
        }
      }
      return {RcptStatus::kRemote, "", ""};
    case config::LookupResult::Status::kNotFound:
      break;
  }
  return {RcptStatus::kUnknown, "", ""};
}

Backend::SenderStatus StoreBackend::check_sender(const std::string& account,
                                                 const smtp::Address& from) {
  auto r = config::Lookup(*cfg_).address(from, false);
  if (r.status != config::LookupResult::Status::kFound || r.account != account) {
    return SenderStatus::kNotAllowed;
  }
  const config::Domain* d = cfg_->domain(from.domain().str());
  if (d && d->disabled) return SenderStatus::kDomainDisabled;  // mox-smtpd(8) "Submission"
  return SenderStatus::kOk;
}

bool StoreBackend::auth_allowed() { return auth_.allowed(); }

void StoreBackend::auth_attempt(std::string_view mech, std::string_view username,
                                std::string_view account, std::string_view result) {
  auth_.attempt(mech, username, account, result);
}

sasl::Context StoreBackend::sasl_context(const TLSState& tls) { return auth_.sasl_context(tls); }

namespace {

// Store failures come in floods when the cause is the machine's (disk full,
// out of descriptors): one line per 10 s with the count of the others.
RateLog& failure_log() {
  static RateLog log;
  return log;
}

// An account over its send limits submits in a loop: one line per 10 s.
RateLog& send_limit_log() {
  static RateLog log;
  return log;
}

}  // namespace

void StoreBackend::log_error(std::string_view message) {
  failure_log().error("server error", {{"remote", conn_.remote_ip}, {"cause", message}});
}

smtp::Reply StoreBackend::failure(const std::string& what, const Error& cause) {
  log_error(what + ": " + cause.message);
  // RFC 3463: 4.3.1 mail system full.
  if (cause.kind == ErrorKind::kNoSpace) {
    return smtp::Reply{452, "3.1", "insufficient system storage, try again later"};
  }
  // RFC 3463: 4.2.2 mailbox full, temporary: the user can make room, as mox
  // answers. The message alone larger than the quota is refused before
  // (deliver_local).
  if (cause.kind == ErrorKind::kOverQuota) return smtp::Reply{452, "2.2", "mailbox full"};
  return smtp::Reply{451, "3.0", "error " + what + ", try again later"};
}

smtp::Reply StoreBackend::send_limit_refusal(const std::string& account,
                                             const queue::SendLimitCheck& c) {
  const char* setting = c.reached == queue::SendLimit::kMessages ? "MaxOutgoingMessagesPerDay"
                                                                 : "MaxFirstTimeRecipientsPerDay";
  const char* what =
      c.reached == queue::SendLimit::kMessages ? "messages" : "first-time recipients";
  send_limit_log().error("submission refused", {{"remote", conn_.remote_ip},
                                                {"account", account},
                                                {"limit", setting},
                                                {"max", c.limit},
                                                {"count", c.count},
                                                {"counting", what}});
  // As mox: temporary, the window slides on. RFC 3463 X.7.1: delivery not
  // authorized.
  return smtp::Reply{451, "7.1",
                     "max number of " + std::string(what) + " (" + std::to_string(c.limit) +
                         ") over past 24h reached, try increasing per-account setting " + setting};
}

void StoreBackend::transaction_started(const std::string& ehlo, const Transaction& tx) {
  if (!conn_.mx_auth) return;
  auto env = conn_.mx_auth->env();
  if (!env) return;  // check_origin answers and logs
  if (!checks_) checks_ = std::make_unique<mailauth::Checks>(**env, conn_.remote_ip);
  checks_->mail_from(ehlo, tx.from ? tx.from->str() : "");
}

namespace {

store::MessageAuth stored_results(const mailauth::Results& r) {
  store::MessageAuth a;
  a.remote_ip = r.remote_ip;
  a.ehlo_domain = r.ehlo;
  a.mail_from = r.mail_from;
  a.mail_from_domain = r.mail_from_domain;
  a.msg_from_domain = r.msg_from_domain;
  a.msg_from_org_domain = r.msg_from_org_domain;
  a.spf = spf::status_name(r.spf);
  a.helo_spf = spf::status_name(r.helo_spf);
  for (const std::string& d : r.dkim_domains)
    a.dkim_domains += (a.dkim_domains.empty() ? "" : " ") + d;
  a.dmarc = dmarc::status_name(r.dmarc);
  a.iprev = authres::iprev_name(r.iprev);
  a.ehlo_validated = r.ehlo_validated;
  a.mail_from_validated = r.mail_from_validated;
  a.msg_from_validated = r.msg_from_validated;
  return a;
}

}  // namespace

// SPF, DKIM, DMARC and iprev (mailauth/mailauth.h). A refusal is the
// sender's problem and is answered with the reason; RFC 3463 X.7.1
// delivery not authorized, X.6.0 for a message without one From address,
// X.7.0 (security) for a temporary DNS failure that the verdict depends on.
std::optional<smtp::Reply> StoreBackend::check_origin(const SessionInfo& info,
                                                      const Transaction& tx, Spool& spool,
                                                      const message::Parsed& parsed,
                                                      Origin& origin) {
  auto env = conn_.mx_auth->env();
  if (!env) return failure("checking message origin", env.error());
  if (!checks_) transaction_started(info.ehlo, tx);
  auto& fs = static_cast<FileSpool&>(spool);
  dkim::MessageRef ref;
  if (auto data = fs.data()) {
    ref.bytes = *data;
  } else {
    auto file = fs.file();
    if (!file) return failure("spooling message", file.error());
    ref.fd = *file;
  }
  mailauth::Verdict v = checks_->finish(ref, parsed.header);
  std::string from = tx.from ? tx.from->str() : "";
  switch (v.decision) {
    case mailauth::Decision::kAccept:
      break;
    case mailauth::Decision::kReject:
    case mailauth::Decision::kRejectMalformed:
    case mailauth::Decision::kTempfail: {
      bool temp = v.decision == mailauth::Decision::kTempfail;
      log::info(temp ? "message deferred" : "message refused",
                {{"remote", conn_.remote_ip},
                 {"from", from},
                 {"reason", v.reason},
                 {"spf", spf::status_name(v.results.spf)},
                 {"dmarc", dmarc::status_name(v.results.dmarc)},
                 {"fromdomain", v.results.msg_from_domain}});
      if (temp) return smtp::Reply{451, "7.0", v.reason};
      if (v.decision == mailauth::Decision::kRejectMalformed)
        return smtp::Reply{550, "6.0", v.reason};
      return smtp::Reply{550, "7.1", v.reason};
    }
  }
  origin.headers = std::move(v.headers);
  if (const message::Header* h = parsed.fields()) {
    auto scrubbed = authres::scrub(info.header, *h, conn_.hostname);
    if (scrubbed.count > 0) {
      origin.header = std::move(scrubbed.header);
      origin.dropped = std::move(scrubbed.removed);
    }
  }
  origin.auth = stored_results(v.results);
  return std::nullopt;
}

Result<std::unique_ptr<Spool>> StoreBackend::begin_message() {
  return std::unique_ptr<Spool>(new FileSpool(cfg_->data_dir() + "/tmp"));
}

// mox-smtpd(8) "Submission": on submission the From header must be an address
// of the account, at an enabled domain.
std::optional<smtp::Reply> StoreBackend::check_from_header(const SessionInfo& info,
                                                           const message::Parsed& parsed) {
  const message::Header* h = parsed.fields();
  if (!h) return smtp::Reply{550, "6.0", "malformed message header"};
  std::vector<const message::HeaderField*> froms;
  for (const auto& f : h->fields) {
    if (f.is("from")) froms.push_back(&f);
  }
  if (froms.size() != 1)
    return smtp::Reply{550, "6.0", "message must have exactly one From header"};
  auto addrs = message::parse_address_list(froms[0]->value);
  if (!addrs || addrs->empty()) return smtp::Reply{550, "6.0", "malformed From header"};
  for (const auto& a : *addrs) {
    auto pa = smtp::Address::parse(a.addr_spec());
    if (!pa) return smtp::Reply{550, "6.0", "malformed address in From header"};
    switch (check_sender(info.account, *pa)) {
      case SenderStatus::kOk:
        break;
      case SenderStatus::kNotAllowed:
        return smtp::Reply{550, "7.1", "From header address not allowed for authenticated user"};
      case SenderStatus::kDomainDisabled:
        return smtp::Reply{451, "3.0", "domain of message from header is temporarily disabled"};
    }
  }
  return std::nullopt;
}

Result<std::string> StoreBackend::dkim_signatures(const message::Parsed& parsed,
                                                  const std::string& extra, int fd) const {
  // Signed for the domain of the From header (checked to be the account's
  // by check_from_header), with every selector of its Sign list
  // (domains.conf(5) "Domains.*.DKIM").
  if (!parsed.header) return parsed.header.error();
  const message::Header& h = *parsed.header;
  for (const auto& f : h.fields) {
    if (!f.is("from")) continue;
    auto addrs = message::parse_address_list(f.value);
    if (!addrs || addrs->empty()) return syntax_error("malformed From header");
    MOX_ASSIGN(auto from, smtp::Address::parse((*addrs)[0].addr_spec()));
    MOX_ASSIGN(auto signer, dkim::domain_signer(*cfg_, from.domain().str()));
    if (signer.selectors.empty()) return std::string();
    dkim::MessageRef ref;
    ref.fd = fd;
    ref.prefix = extra;
    // The header of extra + message, without parsing the message again.
    std::optional<message::Header> signed_header =
        extra.empty() ? std::optional<message::Header>(h) : message::prepend_header(h, extra);
    if (signed_header) ref.header = &*signed_header;
    dkim::SignRequest req = dkim::sign_request(signer, ref);
    req.identity_localpart = from.localpart().value();
    return dkim::sign(req);
  }
  return syntax_error("no From header");
}

std::string StoreBackend::received_header(const SessionInfo& info, const Transaction& tx,
                                          const std::string& id,
                                          const std::string& for_rcpt) const {
  // RFC 5321 §4.4 trace header; "with" per RFC 3848.
  std::string with = info.esmtp ? "ESMTP" : "SMTP";
  if (info.tls.active) with += "S";
  if (!info.account.empty()) with += "A";
  if (tx.smtputf8) with = "UTF8" + with;
  auto ip = [](const std::string& a) { return a.empty() ? std::string() : " ([" + a + "])"; };
  std::string h = "Received: from " + info.ehlo + ip(conn_.remote_ip) + "\r\n\tby " +
                  conn_.hostname + ip(conn_.local_ip) + " with " + with + " id " + id;
  if (!for_rcpt.empty()) h += "\r\n\tfor <" + for_rcpt + ">";
  if (info.tls.active && !info.tls.description.empty()) h += "\r\n\t(" + info.tls.description + ")";
  return h + ";\r\n\t" + message::format_date(std::time(nullptr)) + "\r\n";
}

smtp::Reply StoreBackend::deliver(const SessionInfo& info, const Transaction& tx,
                                  std::unique_ptr<Spool> spool) {
  std::string id = random_token();
  auto parsed = parse_spool(static_cast<FileSpool&>(*spool), info.size);
  if (!parsed) return failure("reading spooled message", parsed.error());
  std::string extra;
  if (info.submission) {
    if (auto r = check_from_header(info, *parsed)) return *r;
    // RFC 6409 §8: a submission server may add missing Date and Message-ID.
    bool has_date = false, has_msgid = false;
    for (const auto& f : parsed->fields()->fields) {
      has_date |= f.is("date");
      has_msgid |= f.is("message-id");
    }
    if (!has_msgid) extra += "Message-ID: <" + id + "@" + cfg_->static_config().hostname + ">\r\n";
    if (!has_date) extra += "Date: " + message::format_date(std::time(nullptr)) + "\r\n";
  }
  std::vector<const Recipient*> remote;
  for (const auto& r : tx.rcpts) {
    if (!r.local) remote.push_back(&r);
  }
  std::optional<db::Db> qdb;
  queue::NewMessage m;
  if (!remote.empty()) {
    auto db = queue::open_queue_db(cfg_->data_dir());
    if (!db) return failure("queueing message", db.error());
    qdb.emplace(std::move(*db));
    if (auto r = prepare_queued(info, tx, remote, id, extra, *spool, *parsed, *qdb, m)) return *r;
  }
  std::optional<Origin> origin;
  if (!info.submission && conn_.mx_auth) {
    origin.emplace();
    if (auto r = check_origin(info, tx, *spool, *parsed, *origin)) return *r;
  }
  LocalCopies local;  // taken back if anything below fails
  if (auto r =
          deliver_local(info, tx, *spool, *parsed, id, extra, origin ? &*origin : nullptr, local))
    return *r;
  if (qdb) {
    auto q = queue::add_message(*qdb, cfg_->data_dir(), m, std::time(nullptr));
    if (!q) return failure("queueing message", q.error());
    if (q->limit.reached != queue::SendLimit::kNone)
      return send_limit_refusal(info.account, q->limit);
  }
  local.keep();
  log_delivered(info, tx, *parsed, id, extra);
  return smtp::Reply{250, "0.0", "ok, message " + id + " accepted"};
}

// One line per recipient, so that "did alice's mail arrive?" is
// `journalctl -u mox-smtpd\* | grep rcpt=alice@example.org` (mox-smtpd(8)).
void StoreBackend::log_delivered(const SessionInfo& info, const Transaction& tx,
                                 const message::Parsed& parsed, const std::string& id,
                                 const std::string& extra) const {
  if (!log::enabled(log::Level::kInfo)) return;
  std::string message_id, subject;
  header_summary(parsed, extra, message_id, subject);
  std::string from = tx.from ? tx.from->str() : "";
  for (const auto& r : tx.rcpts) {
    log::info(r.local ? "message delivered" : "message queued", {{"id", id},
                                                                 {"msgid", message_id},
                                                                 {"from", from},
                                                                 {"rcpt", r.address.str()},
                                                                 {"account", r.account},
                                                                 {"mailbox", r.mailbox},
                                                                 {"size", info.size},
                                                                 {"remote", conn_.remote_ip},
                                                                 {"auth", info.account},
                                                                 {"tls", info.tls.description}});
  }
}

// The message for the queue. Checked against the sender's send limits
// before anything is stored, so that a refused message is never delivered
// to the local recipients in the meantime (add_message checks again in its
// transaction: that check is the one that holds between processes). DKIM
// signatures, too, before anything is stored: a signing failure (e.g. an
// unreadable key) leaves nothing half-delivered.
std::optional<smtp::Reply> StoreBackend::prepare_queued(
    const SessionInfo& info, const Transaction& tx, const std::vector<const Recipient*>& remote,
    const std::string& id, const std::string& extra, Spool& spool, const message::Parsed& parsed,
    db::Db& qdb, queue::NewMessage& m) {
  auto& fs = static_cast<FileSpool&>(spool);
  m.sender_account = info.account;
  m.sender_localpart = tx.from->localpart().value();
  m.sender_domain = tx.from->domain().str();
  for (const auto* r : remote)
    m.recipients.push_back({r->address.localpart().value(), r->address.domain().str()});
  if (info.submission) {
    const config::Account* acc = cfg_->account(info.account);
    m.limits = acc ? queue::send_limits(*acc) : queue::SendLimits{};
    auto c = queue::check_send_limits(qdb, m, std::time(nullptr));
    if (!c) return failure("checking send limits", c.error());
    if (c->reached != queue::SendLimit::kNone) return send_limit_refusal(info.account, *c);
  }
  auto file = fs.file();
  if (!file) return failure("spooling message", file.error());
  auto sig = dkim_signatures(parsed, extra, *file);
  if (!sig) return failure("signing message", sig.error());
  m.dkim_prefix = std::move(*sig);
  m.has_8bit = info.has_8bit;
  m.smtputf8 = tx.smtputf8;
  m.prefix = received_header(info, tx, id, "") + extra;
  header_summary(parsed, extra, m.message_id, m.subject);
  m.source_fd = *file;
  m.size = info.size;
  return std::nullopt;
}

Result<std::shared_ptr<store::SharedAccount>> StoreBackend::account(const std::string& name) {
  auto& acc = accounts_[name];
  if (!acc || acc->stale()) {
    auto a = pool_->get(cfg_->account_dir(name));
    if (!a) {
      accounts_.erase(name);
      return std::move(a).error();
    }
    acc = std::move(*a);
  }
  return acc;
}

// One copy per account (docs/DESIGN.md "Incoming mail"), with "for" only if it
// names the only recipient. All files are written first, then the rows
// committed: a store error after some rows were committed takes those back
// (LocalCopies).
std::optional<smtp::Reply> StoreBackend::deliver_local(
    const SessionInfo& info, const Transaction& tx, Spool& spool, const message::Parsed& parsed,
    const std::string& id, const std::string& extra, const Origin* origin, LocalCopies& copies) {
  auto& fs = static_cast<FileSpool&>(spool);
  std::map<std::string, std::vector<const Recipient*>> by_account;
  for (const auto& r : tx.rcpts) {
    if (r.local) by_account[r.account].push_back(&r);
  }
  std::vector<std::pair<std::shared_ptr<store::SharedAccount>, store::SharedAccount::Prepared>>
      files;
  for (const auto& [account, rcpts] : by_account) {
    auto acc = this->account(account);
    if (!acc) return failure("opening account", acc.error());
    store::DeliverRequest req;
    req.mailbox = rcpts[0]->mailbox;
    req.prefix =
        received_header(info, tx, id, rcpts.size() == 1 ? rcpts[0]->address.str() : "") + extra;
    // RFC 8601 §5 / RFC 7208 §9.1: the results above our Received field;
    // a rewritten header section replaces the one received.
    size_t skip = 0;
    std::vector<size_t> dropped;
    if (origin) {
      req.prefix = origin->headers + req.prefix;
      if (origin->header) dropped = origin->dropped;
      req.auth = origin->auth;
    }
    // The stored message parsed: the received one with the fields added in
    // front and the dropped ones left out (message/parsed.h), or, where that
    // cannot be derived, null (the store parses the file).
    if (auto stored = message::prepend(parsed, req.prefix, dropped)) {
      req.parsed = std::make_shared<const message::Parsed>(std::move(*stored));
    }
    if (origin && origin->header) {
      req.prefix += *origin->header;
      skip = info.header.size();
    }
    // The quota is checked where the row is committed (store/quota.h); a
    // message that could never fit is refused for good here, RFC 3463 5.2.2.
    req.quota = cfg_->quota_message_size(account);
    if (req.quota > 0 && static_cast<int64_t>(req.prefix.size()) + info.size > req.quota) {
      log_error("message of " + std::to_string(info.size) + " bytes larger than quota of account " +
                account);
      return smtp::Reply{552, "2.2", "message larger than mailbox quota"};
    }
    req.source_data = fs.data();
    if (req.source_data) {
      req.source_data = req.source_data->substr(std::min(skip, req.source_data->size()));
    } else {
      auto file = fs.file();
      if (!file) return failure("storing message", file.error());
      req.source_fd = *file;
      req.source_offset = static_cast<int64_t>(skip);
    }
    auto p = (*acc)->prepare(req);
    if (!p) return failure("storing message", p.error());
    files.emplace_back(*acc, std::move(*p));
  }
  for (auto& [acc, p] : files) {
    auto d = acc->commit(std::move(p));
    if (!d) return failure("storing message", d.error());
    copies.add(acc, *d);
  }
  return std::nullopt;
}

}  // namespace mox::smtpserver
