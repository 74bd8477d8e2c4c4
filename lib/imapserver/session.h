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
#include "imapserver/notify.h"
#include "imapserver/sort.h"
#include "sasl/sasl.h"

namespace mox::imapserver {

using TLSState = auth::TLSState;
struct SearchUpdates;  // imapserver/search_update.h

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
  // NOTIFY (RFC 5465 §5.8): more responses than this in one batch of
  // notifications is NOTIFICATIONOVERFLOW.
  size_t max_notifications = 1000;
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
  // COMPRESS (RFC 4978): after writing the reply, compress both ways.
  bool compress = false;
};

// "(\\Seen $Forwarded)": a parenthesised flag list.
std::string flags_text(const std::vector<std::string>& names);

class Session {
 public:
  Session(Settings s, Backend& backend);
  ~Session();
  Output greeting();
  // Instead of greeting(): the session starts logged in as `account`, whose
  // store the caller opened with Backend::open_account (mox-imapd(8)
  // "PREAUTH"). Returns the PREAUTH greeting (RFC 9051 §7.1.4); the login
  // attempt is recorded with mechanism `mech` and login address `username`
  // as a login's is (docs/DESIGN.md "Login attempts").
  Output preauth(const std::string& account, const std::string& username,
                 std::unique_ptr<Mailstore> mailstore, std::string_view mech);
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
  // NOTIFY is set (RFC 5465): the driver waits for account changes between
  // commands too, and calls poll_updates() when one comes.
  bool notifying() const { return notify_ != nullptr; }
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
    bool recent = false;  // \Recent in this session (imapserver/recent.cc)
  };

  // Runs the buffered commands until input runs out or a reply part is full.
  void process(Output& out);
  // Runs a parsed command through the verb table (verbs.cc).
  void handle(imap::Command& c, Output& out);
  void respond(Output& out, const std::string& tag, imap::Condition c, std::string_view code,
               std::string_view text);
  std::string capabilities() const;
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

  // notify_cmd.cc: NOTIFY (RFC 5465) and COMPRESS (RFC 4978).
  void cmd_compress(imap::Command& c, Output& out);
  void cmd_notify(imap::Command& c, Output& out);
  // The notifications of the changes since the last call (poll_updates).
  void notify_updates(Output& out);
  void notify_selected(Output& out);

  // auth.cc
  // True (and the connection ends) when the per-IP failure limit is reached.
  bool limited(Output& out);
  void cmd_login(imap::Command& c, Output& out);
  void cmd_authenticate(imap::Command& c, Output& out);
  void auth_line(std::string_view line, Output& out);
  void auth_step(const sasl::Step& st, Output& out);
  void logged_in(const std::string& account, const std::string& username, Output& out,
                 const std::string& tag, const std::string& mech);
  // The PREAUTH greeting of a TLS client certificate (mox-imapd(8) "TLS
  // client certificates").
  Output cert_greeting();
  // The account's store is open: the session is in the authenticated state.
  void authenticated(const std::string& account, const std::string& username,
                     std::unique_ptr<Mailstore> mailstore);
  // mailbox.cc
  void cmd_select(imap::Command& c, Output& out);
  // A mailbox argument that is not valid modified UTF-7 (imap::Command::invalid_name).
  void invalid_name(imap::Command& c, Output& out);
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
  // False when a message sequence number of `set` is beyond the mailbox's
  // messages (the command is answered BAD).
  bool seqs_valid(const imap::SequenceSet& set) const;
  // Index of the message with `uid` in msgs_ (sorted by UID), or msgs_.size().
  size_t index_of_uid(int64_t uid) const;
  // A CONDSTORE-enabling command (RFC 7162 §3.1): from now on flag changes
  // carry MODSEQ; the first one in the selected state sends HIGHESTMODSEQ.
  void enable_condstore(Output& out);
  void cmd_fetch(imap::Command& c, Output& out);
  void fetch_step(Output& out);
  void cmd_store(imap::Command& c, Output& out);
  void cmd_search(imap::Command& c, Output& out);
  // search.cc, search_multi.cc (MULTISEARCH RFC 7377), search_update.cc
  // (CONTEXT=SEARCH RFC 5267 §4).
  void cmd_esearch(imap::Command& c, Output& out);
  void cmd_cancelupdate(imap::Command& c, Output& out);
  // Answers NO for what no search may run (charset, too many keys): true
  // when it did.
  bool search_refused(const imap::SearchArgs& a, const std::string& tag, Output& out);
  // The selected mailbox's messages in sequence order, as search_eval.h's
  // run_search takes them; `rows` holds them.
  Result<std::vector<const store::MessageRow*>> selected_rows(std::vector<store::MessageRow>& rows);
  // Keeps the result of SEARCH RETURN (UPDATE): false when it cannot (then
  // the command answers NOUPDATE).
  bool search_keep(const imap::Command& c, const std::vector<int64_t>& uids);
  // The change hooks of CONTEXT=SEARCH, called where msgs_ changes: a
  // message arrived or its flags changed (`r` is its new row); msgs_[index]
  // is about to be removed (its REMOVEFROM goes out now, before its
  // EXPUNGE); and the ADDTO/REMOVEFROM of what changed, before a command's
  // completion and after updates(). Each is a no-op without results kept.
  void search_touched(const store::MessageRow& r);
  void search_expunging(Output& out, size_t index);
  void search_flush(Output& out);
  // search.cc: the messages of the selected mailbox that match `a`'s program
  // (SEARCH, and the search part of SORT and THREAD), as indexes into msgs_,
  // ascending; nullopt when the command has been answered instead (NO for
  // a charset, a limit or a store failure). Sends pending updates first.
  struct SearchHits {
    std::vector<size_t> index;
    std::vector<int64_t> modseqs;  // of the messages in `index`
    int64_t max_modseq = 0;
    bool modseq = false;  // the program has MODSEQ and matched (RFC 7162 §3.1.5)
  };
  std::optional<SearchHits> search_messages(const imap::Command& c, const imap::SearchArgs& a,
                                            Output& out);
  // search.cc: the ESEARCH response of a SEARCH or SORT with RETURN
  // options (RFC 4731 §3.1, SEARCHRES RFC 5182 §2.4, PARTIAL RFC 9394,
  // ESORT RFC 5267 §3.2): `numbers` in the result's order (ascending, or
  // the sort order when `sorted`), `uids` the same messages' UIDs, for SAVE.
  void esearch_reply(const imap::Command& c, const imap::SearchArgs& a,
                     const std::vector<uint32_t>& numbers, const std::vector<int64_t>& uids,
                     const SearchHits& h, bool sorted, Output& out);
  // sortcmd.cc: SORT and THREAD (RFC 5256, ESORT RFC 5267 §3).
  void cmd_sort(imap::Command& c, Output& out);
  void cmd_thread(imap::Command& c, Output& out);
  // The messages `search` finds, in sequence order, with their keys in
  // `fields` (store::SortField bits, held in `rows`); nullopt when the
  // command has been answered instead.
  struct SortInput {
    SearchHits hits;
    std::vector<store::SortRow> rows;
    std::vector<SortItem> items;  // keys point into rows
  };
  std::optional<SortInput> sort_input(const imap::Command& c, const imap::SearchArgs& search,
                                      unsigned fields, Output& out);
  void cmd_copy(imap::Command& c, Output& out);  // and MOVE
  void cmd_expunge(imap::Command& c, Output& out);
  void close_mailbox(bool expunge);
  // `forms`: the message's stored ENVELOPE/BODYSTRUCTURE/BODY, when asked for.
  std::string fetch_one(size_t index, const std::vector<imap::FetchAtt>& atts, bool uid_fetch,
                        const store::FetchForms* forms, bool& set_seen);
  std::vector<std::string> flag_names(const store::MessageFlags& f, bool recent = false) const;
  // recent.cc: \Recent of IMAP4rev1 sessions (store/recent.h).
  bool claimed_recent(int64_t uid) const;
  // Marks msgs_ after a SELECT or EXAMINE, claiming when read-write.
  void recent_on_select();
  // Marks msgs_[first...], just added, claiming when read-write.
  void recent_for_new(size_t first);
  size_t recent_count() const;
  std::vector<int64_t> recent_uids() const;  // of msgs_, ascending
  // Keywords (RFC 9051 §7.3.5): "* FLAGS" and "* OK [PERMANENTFLAGS]" with
  // the mailbox's keywords; again when a keyword not yet sent appears.
  std::string flags_responses() const;
  void announce_keywords(Output& out, const store::MessageFlags& f);

  Settings s_;
  Backend& backend_;
  imap::Reader reader_;
  State state_ = State::kNotAuthenticated;
  TLSState tls_;
  int bad_count_ = 0;
  int auth_failures_ = 0;
  bool utf8_ = false, condstore_ = false, qresync_ = false;
  bool rev2_ = false;     // ENABLE IMAP4rev2: no \Recent (RFC 9051 Appendix E)
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
  std::vector<Msg> msgs_;                          // sequence number = index + 1
  int64_t modseq_ = 0;                             // highest modseq the client has seen
  std::vector<int64_t> saved_;                     // SEARCHRES "$" (UIDs)
  std::unique_ptr<SearchUpdates> search_updates_;  // CONTEXT=SEARCH, search_update.h
  std::vector<store::RecentClaim> claims_;         // UIDs recent in this session
  std::set<std::string> keywords_;                 // keywords sent in "* FLAGS"
  std::optional<std::string> idle_tag_;
  bool compress_ = false;
  std::unique_ptr<NotifySet> notify_;  // NOTIFY SET, until NOTIFY NONE
  Snapshot notify_snap_;               // the account as last notified
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
  bool unknown_cte_ = false;     // set by fetch_one for BINARY
  bool expunge_issued_ = false;  // set by fetch_one: a message's file is gone
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
