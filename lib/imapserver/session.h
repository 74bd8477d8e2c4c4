// The IMAP4rev2/rev1 server session (RFC 9051, RFC 3501 and extensions),
// without socket I/O: bytes in, response bytes and actions out. Once a user
// is authenticated, the account's mailboxes and messages are reached only
// through the Mailstore that Backend::open_account gives (no SQL or file
// reads here); other processes' changes reach the session through
// poll_updates() (IDLE, NOOP, and before every command's completion).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/tlsstate.h"
#include "imap/command.h"
#include "imap/reader.h"
#include "imap/writer.h"
#include "imapserver/mailstore.h"
#include "sasl/sasl.h"

namespace mox::imapserver {

using TLSState = auth::TLSState;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual sasl::Context sasl_context(const TLSState& tls) = 0;
  virtual bool auth_allowed() = 0;
  virtual void auth_attempt(std::string_view mech, std::string_view username,
                            std::string_view account, std::string_view result,
                            std::string_view user_agent) = 0;
  // Opens an authenticated account's mailboxes and messages: the session's
  // only way to the store (imapserver/mailstore.h).
  virtual Result<std::unique_ptr<Mailstore>> open_account(const std::string& account) = 0;
  // Why the account may no longer be used (removed, login disabled), or "".
  virtual std::string account_gone(const std::string& account) = 0;
  // True when the client has closed or reset the connection: a long command
  // stops instead of working for nobody. Called every few hundred steps.
  virtual bool client_gone() { return false; }
  // An error of the server's own (database, files) for the operator's log.
  virtual void log_error(std::string_view message) { (void)message; }
  // The account's IMAPCapabilitiesDisabled (domains.conf), as configured now.
  virtual std::vector<std::string> capabilities_disabled(const std::string& account) {
    (void)account;
    return {};
  }
  // The account's effective QuotaMessageSize in bytes (domains.conf, else
  // mox.conf), as configured now; 0: no limit.
  virtual int64_t quota_message_size(const std::string& account) {
    (void)account;
    return 0;
  }
};

struct Settings {
  std::string hostname;
  bool tls_configured = false;
  bool login_requires_tls = true;  // IMAP.NoRequireSTARTTLS unset
  bool implicit_tls = false;
  int max_bad_commands = 20;
  std::chrono::milliseconds auth_delay_unit{1000};
  int64_t max_append = 100 * 1024 * 1024;
  // The wall-clock time one SEARCH or LIST may take before it is answered
  // NO [LIMIT] (RFC 9051 §7.1), and the keys one SEARCH may hold.
  std::chrono::milliseconds command_budget{30000};
  size_t max_search_keys = 1000;
};

// The work one command may still do: a deadline (when `limited`) and the
// client's presence, checked as the command steps through messages or names.
class CommandBudget {
 public:
  CommandBudget(Backend& backend, std::chrono::milliseconds limit, bool limited);
  // False once the command must stop: out of time, or the client gone.
  bool step();
  bool client_gone() const { return gone_; }

 private:
  Backend& backend_;
  std::chrono::steady_clock::time_point deadline_, next_check_;
  bool limited_, gone_ = false;
};

struct Output {
  std::string reply;
  std::chrono::milliseconds delay{0};
  bool start_tls = false;
  bool close = false;
  bool idle = false;  // in IDLE: wait for input or account changes
  // The reply is one part of a longer one (a large FETCH): write it, then
  // call Session::resume() for the next, before reading more input.
  bool more = false;
};

// "(\\Seen $Forwarded)": a parenthesised flag list.
std::string flags_text(const std::vector<std::string>& names);

class Session {
 public:
  Session(Settings s, Backend& backend);
  ~Session();
  Output greeting();
  Output feed(std::string_view data);
  // The next part of a reply after an Output with `more`; then the commands
  // that were pipelined behind it.
  Output resume();
  // Bytes a reply part holds before the rest waits for resume().
  static constexpr size_t kReplyChunk = 256 * 1024;
  void tls_started(const TLSState& tls);
  // Other processes changed the account: untagged updates while idling.
  Output poll_updates();
  // The account directory whose changes matter, "" before login.
  std::string watch_dir() const;
  bool idling() const { return idle_tag_.has_value(); }
  // The account logged in to, "" before login.
  const std::string& account() const { return account_; }

  // The connection states (RFC 9051 §3), and the end of the session.
  enum class State { kNotAuthenticated, kAuthenticated, kSelected, kLogout };
  // A set of states as bits: bit(a) | bit(b).
  static constexpr uint8_t bit(State s) { return static_cast<uint8_t>(1u << static_cast<int>(s)); }

 private:
  // verbs.cc: the verb table. Each command's handler, the states it is
  // allowed in, and the condition (BAD or NO) of its refusal in the others.
  using Handler = void (Session::*)(imap::Command& c, Output& out);
  struct VerbEntry {
    imap::Verb verb;
    uint8_t states;
    imap::Condition refused;
    Handler handler;
  };
  static const VerbEntry kVerbs[];
  static const VerbEntry* verb_entry(imap::Verb v);
  // The refusal of a command in a state its entry does not allow.
  void refuse(Output& out, const std::string& tag, const VerbEntry& e);
  void cmd_capability(imap::Command& c, Output& out);
  void cmd_noop(imap::Command& c, Output& out);
  void cmd_logout(imap::Command& c, Output& out);
  void cmd_starttls(imap::Command& c, Output& out);
  void cmd_id(imap::Command& c, Output& out);
  void cmd_enable(imap::Command& c, Output& out);
  void cmd_namespace(imap::Command& c, Output& out);
  void cmd_idle(imap::Command& c, Output& out);
  void cmd_close(imap::Command& c, Output& out);  // CLOSE and UNSELECT
  struct Msg {
    int64_t uid = 0, id = 0, modseq = 0, size = 0, received = 0;
    store::MessageFlags flags;
  };

  // Runs the buffered commands until input runs out or a reply part is full.
  void process(Output& out);
  // Runs a parsed command through the verb table (verbs.cc).
  void handle(imap::Command& c, Output& out);
  void respond(Output& out, const std::string& tag, imap::Condition c, std::string_view code,
               std::string_view text);
  std::string capabilities() const;
  Output preauth_greeting();
  // Whether the logged-in account has `cap` in IMAPCapabilitiesDisabled.
  bool capability_disabled(std::string_view cap) const;
  void bad(Output& out, const std::string& tag, std::string_view text);
  // NO for a failed store operation: the message of a user or not-found
  // error (with `not_found_code`); for any other error a generic text, the
  // cause going to Backend::log_error, never to the client.
  void store_failure(Output& out, const std::string& tag, const Error& e,
                     std::string_view not_found_code);
  // A command stopped by its CommandBudget: NO [LIMIT], or, with the client
  // gone, the end of the session.
  void over_budget(Output& out, const std::string& tag, const CommandBudget& b,
                   std::string_view what);

  // auth.cc
  // True (and the connection ends) when the per-IP failure limit is reached.
  bool limited(Output& out);
  void cmd_login(imap::Command& c, Output& out);
  void cmd_authenticate(imap::Command& c, Output& out);
  void auth_line(std::string_view line, Output& out);
  void auth_step(const sasl::Step& st, Output& out);
  void logged_in(const std::string& account, const std::string& username, Output& out,
                 const std::string& tag, const std::string& mech);
  // mailbox.cc
  void cmd_select(imap::Command& c, Output& out);
  void cmd_create(imap::Command& c, Output& out);
  void cmd_delete(imap::Command& c, Output& out);
  void cmd_rename(imap::Command& c, Output& out);
  void cmd_subscribe(imap::Command& c, Output& out);  // and UNSUBSCRIBE
  void cmd_list(imap::Command& c, Output& out);
  void cmd_lsub(imap::Command& c, Output& out);
  void cmd_status(imap::Command& c, Output& out);
  void cmd_append(imap::Command& c, Output& out);
  // append.cc: one message of APPEND or REPLACE, CATENATE (RFC 4469).
  struct AppendRefusal {
    std::string code, text;
  };
  // Stores `m` in `mb`, its CATENATE parts put together first; on failure
  // the tagged response is written and nothing returned.
  std::optional<store::Delivered> append_one(const store::Mailbox& mb, imap::AppendMessage& m,
                                             Output& out, const std::string& tag);
  // The message CATENATE `parts` make, in `data`, or why not (BADURL, TOOBIG).
  std::optional<AppendRefusal> catenate(const std::vector<imap::CatenatePart>& parts,
                                        std::string& data);
  // The octets an IMAP URL (RFC 5092) names in this account, or nothing.
  std::optional<std::string> url_data(std::string_view url);
  // preview.cc: the PREVIEW of a message as FETCH sends it (RFC 8970 §3),
  // NIL when it cannot be had.
  std::string preview_form(int64_t id);
  // uidonly.cc (RFC 9586)
  // "* 3 FETCH (" for message index 2, or "* <uid> UIDFETCH (" with UIDONLY.
  std::string fetch_head(size_t index) const;
  // Whether `c` names messages by sequence number (refused with UIDONLY).
  static bool uses_sequence_numbers(const imap::Command& c);
  // replace.cc (RFC 8508)
  void cmd_replace(imap::Command& c, Output& out);
  // metadata.cc (RFC 5464)
  void cmd_getmetadata(imap::Command& c, Output& out);
  void cmd_setmetadata(imap::Command& c, Output& out);
  std::optional<int64_t> metadata_mailbox(const std::string& name, Output& out,
                                          const std::string& tag);
  // quota.cc
  void cmd_getquotaroot(imap::Command& c, Output& out);
  void cmd_getquota(imap::Command& c, Output& out);
  void cmd_setquota(imap::Command& c, Output& out);
  // "* QUOTA "" (STORAGE used limit)" of the account's one quota root, or ""
  // when the account has no limit (and so no quota root).
  std::string quota_response();
  // selected.cc
  void updates(Output& out, bool expunges_allowed);
  // Removes expunged UIDs from the view: "* N EXPUNGE", or "* VANISHED" with QRESYNC.
  void report_expunged(Output& out, const std::vector<int64_t>& uids);
  std::vector<size_t> resolve(const imap::SequenceSet& set, bool uid) const;
  // Index of the message with `uid` in msgs_ (sorted by UID), or msgs_.size().
  size_t index_of_uid(int64_t uid) const;
  void cmd_fetch(imap::Command& c, Output& out);
  void fetch_step(Output& out);
  void cmd_store(imap::Command& c, Output& out);
  void cmd_search(imap::Command& c, Output& out);
  void cmd_copy(imap::Command& c, Output& out);  // and MOVE
  void cmd_expunge(imap::Command& c, Output& out);
  void close_mailbox(bool expunge);
  // `forms`: the message's stored ENVELOPE/BODYSTRUCTURE/BODY, when asked for.
  std::string fetch_one(size_t index, const std::vector<imap::FetchAtt>& atts, bool uid_fetch,
                        const store::FetchForms* forms, bool& set_seen);
  std::vector<std::string> flag_names(const store::MessageFlags& f) const;

  Settings s_;
  Backend& backend_;
  imap::Reader reader_;
  State state_ = State::kNotAuthenticated;
  TLSState tls_;
  int bad_count_ = 0;
  int auth_failures_ = 0;
  bool utf8_ = false, condstore_ = false, qresync_ = false;
  bool uidonly_ = false;  // ENABLE UIDONLY (RFC 9586)
  std::string user_agent_;
  // Authentication in progress.
  std::unique_ptr<sasl::Mechanism> mech_;
  std::string auth_tag_;
  bool login_cmd_ = false;  // the LOGIN command, not AUTHENTICATE
  // Authenticated.
  std::string account_, username_;
  std::unique_ptr<Mailstore> mailstore_;
  // Selected.
  std::optional<store::Mailbox> mailbox_;
  bool read_only_ = false;
  std::vector<Msg> msgs_;       // sequence number = index + 1
  int64_t modseq_ = 0;          // highest modseq the client has seen
  std::vector<int64_t> saved_;  // SEARCHRES "$" (UIDs)
  std::optional<std::string> idle_tag_;
  // A FETCH whose responses go out in parts (Output::more).
  struct FetchJob {
    std::string tag;
    bool uid = false, want_forms = false;
    std::vector<imap::FetchAtt> atts;
    std::vector<size_t> idx;  // message indices still to send from `pos`
    size_t pos = 0;
    std::vector<store::FetchForms> forms;  // of idx[forms_start...]
    size_t forms_start = 0;
    std::vector<int64_t> seen;  // UIDs whose \Seen flag the FETCH sets
  };
  static constexpr size_t kFormsBatch = 256;
  std::optional<FetchJob> fetch_job_;
  bool unknown_cte_ = false;  // set by fetch_one for BINARY
  // docs/DESIGN.md "Login attempts": a login attempt waits for the client's ID
  // (user agent), and is written at the next command or at the end of the
  // session.
  struct PendingAttempt {
    std::string mech, username, account, result;
  };
  std::optional<PendingAttempt> pending_;
  void attempt(std::string mech, std::string username, std::string account, std::string result);
  void flush_attempt();
};

}  // namespace mox::imapserver
