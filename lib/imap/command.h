// Typed IMAP commands, as parse_command() (parser.h) makes them from the
// bytes of a client: RFC 9051 (IMAP4rev2), RFC 3501 (IMAP4rev1) and the
// extensions mox-imapd announces (mox-imapd(8) "Capabilities"). Plain data:
// values, copyable, no invariants beyond what the parser guarantees per field.
//
// Strings are as the client sent them, except mailbox names (UTF-8, decoded
// from modified UTF-7 for IMAP4rev1 clients, first level "INBOX" in any case
// written "Inbox" as the store keeps it) and keywords the parser upper-cases
// where the grammar is case-insensitive (noted per field).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "imap/date.h"
#include "imap/sequence.h"

namespace mox::imap {

// The command verbs. UID COPY/MOVE/FETCH/SEARCH/STORE/EXPUNGE are the same
// verb with Command::uid set (RFC 9051 §6.4.9).
// clang-format off
enum class Verb {
  kCapability, kNoop, kLogout,                                        // §6.1, any state
  kStartTls, kAuthenticate, kLogin,                                   // §6.2, not authenticated
  kEnable, kSelect, kExamine, kCreate, kDelete, kRename, kSubscribe,  // §6.3, authenticated
  kUnsubscribe, kList, kLsub, kNamespace, kStatus, kAppend, kIdle,
  kCheck, kClose, kUnselect, kExpunge, kSearch, kFetch, kStore,       // §6.4, selected
  kCopy, kMove,
  kId,                                                                // RFC 2971
  kGetQuota, kGetQuotaRoot, kSetQuota,                                // RFC 9208 §4.3
  kEsearch,                                                           // RFC 7377 §2
  kCancelUpdate,                                                      // RFC 5267 §4.2
  kCompress,                                                          // RFC 4978
  kNotify,                                                            // RFC 5465
  kSort, kThread,                                                     // RFC 5256
  kReplace,                                                           // RFC 8508
  kGetMetadata, kSetMetadata,                                         // RFC 5464
};
// clang-format on

struct NoArgs {
  bool operator==(const NoArgs&) const = default;
};

// AUTHENTICATE mechanism [initial-response] (RFC 9051 §6.2.2, SASL-IR RFC 4959).
struct AuthenticateArgs {
  std::string mechanism;                        // upper-cased
  std::optional<std::string> initial_response;  // base64-decoded; "=" is ""
  bool operator==(const AuthenticateArgs&) const = default;
};

// LOGIN userid password (RFC 9051 §6.2.3).
struct LoginArgs {
  std::string username;
  std::string password;
  bool operator==(const LoginArgs&) const = default;
};

// ENABLE capability... (RFC 5161 §3.1).
struct EnableArgs {
  std::vector<std::string> capabilities;  // upper-cased
  bool operator==(const EnableArgs&) const = default;
};

// QRESYNC (uidvalidity modseq [known-uids] [(known-seqs known-seq-uids)])
// (RFC 7162 §3.2.5). "*" is not allowed in the UID sets.
struct QresyncParams {
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;
  std::optional<SequenceSet> known_seqs;      // seq-match-data: sequence numbers...
  std::optional<SequenceSet> known_seq_uids;  // ...and their UIDs, same count
  bool operator==(const QresyncParams&) const = default;
};

// SELECT / EXAMINE mailbox [(CONDSTORE) | (QRESYNC (...))] (RFC 9051 §6.3.2,
// RFC 7162 §3.1.8, §3.2.5).
struct SelectArgs {
  std::string mailbox;
  bool condstore = false;
  std::optional<QresyncParams> qresync;
  bool operator==(const SelectArgs&) const = default;
};

// DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT (RFC 9208 §4.3.2) mailbox.
struct MailboxArgs {
  std::string mailbox;
  bool operator==(const MailboxArgs&) const = default;
};

// CREATE mailbox [(USE (\Drafts ...))] (RFC 9051 §6.3.4, CREATE-SPECIAL-USE
// RFC 6154 §3).
struct CreateArgs {
  std::string mailbox;
  std::vector<std::string> special_use;  // e.g. "\Drafts", as sent
  bool operator==(const CreateArgs&) const = default;
};

// RENAME from to (RFC 9051 §6.3.6).
struct RenameArgs {
  std::string from;
  std::string to;
  bool operator==(const RenameArgs&) const = default;
};

// STATUS data items (RFC 9051 §6.3.11; RECENT from RFC 3501; SIZE RFC 8438;
// HIGHESTMODSEQ RFC 7162 §3.1.6; APPENDLIMIT RFC 7889; DELETED-STORAGE
// RFC 9208 §4.2.2).
enum class StatusItem {
  kMessages,
  kUidNext,
  kUidValidity,
  kUnseen,
  kDeleted,
  kSize,
  kRecent,
  kHighestModSeq,
  kAppendLimit,
  kDeletedStorage,
};

// LIST [(selection options)] reference pattern|(patterns) [RETURN (...)]
// (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819,
// SPECIAL-USE RFC 6154 §5). Reference and patterns are decoded like mailbox
// names but keep their case; "%" and "*" are wildcards.
struct ListArgs {
  // Selection options (RFC 5258 §3.1).
  bool select_subscribed = false;
  bool select_remote = false;
  bool select_recursive_match = false;
  bool select_special_use = false;
  std::string reference;
  // One or more as sent; a pattern that is not valid modified UTF-7 (RFC 3501
  // §5.1.3) matches no name and is left out, all are when the reference is
  // not valid, so the list may be empty.
  std::vector<std::string> patterns;
  // Return options (RFC 5258 §3.2). RETURN () is the same as no RETURN.
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::optional<std::vector<StatusItem>> return_status;  // RFC 5819
  bool extended = false;  // selection options or RETURN or several patterns were given
  bool operator==(const ListArgs&) const = default;
};

// LSUB reference pattern (RFC 3501 §6.3.9).
struct LsubArgs {
  std::string reference;
  std::string pattern;
  // The reference or pattern is not valid modified UTF-7 (RFC 3501 §5.1.3):
  // no name matches.
  bool matches_nothing = false;
  bool operator==(const LsubArgs&) const = default;
};

// STATUS mailbox (items) (RFC 9051 §6.3.11).
struct StatusArgs {
  std::string mailbox;
  std::vector<StatusItem> items;  // at least one
  bool operator==(const StatusArgs&) const = default;
};

// One message of APPEND (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502, BINARY
// RFC 3516 §4.4, UTF8=ACCEPT RFC 6855 §4).
// One part of CATENATE (RFC 4469 §5): TEXT literal or URL of a message or
// section of the account (RFC 5092).
struct CatenatePart {
  bool url = false;
  std::string text;  // the literal's octets, or the URL as sent
  bool operator==(const CatenatePart&) const = default;
};

struct AppendMessage {
  std::vector<std::string> flags;  // as sent, e.g. "\Seen", "$Forwarded"
  std::optional<DateTime> internal_date;
  std::string data;     // the message, moved out of the literal
  bool binary = false;  // sent as literal8 ~{n}: may hold NUL, no CTE needed
  bool utf8 = false;    // sent as UTF8 (~{n}) (RFC 6855 §4): 8-bit headers
  // CATENATE (RFC 4469): the message is made of these parts; `data` is empty.
  std::optional<std::vector<CatenatePart>> catenate;
  bool operator==(const AppendMessage&) const = default;
};

struct AppendArgs {
  std::string mailbox;
  std::vector<AppendMessage> messages;  // one, or several with MULTIAPPEND
  bool operator==(const AppendArgs&) const = default;
};

// REPLACE / UID REPLACE number mailbox append-message (RFC 8508 §3).
struct ReplaceArgs {
  uint32_t number = 0;  // sequence number, or UID with UID REPLACE
  std::string mailbox;
  AppendMessage message;
  bool operator==(const ReplaceArgs&) const = default;
};

// SEARCH keys (RFC 9051 §6.4.4; NEW OLD RECENT from RFC 3501; MODSEQ RFC 7162
// §3.1.5; OLDER YOUNGER RFC 5032; SAVED* RFC 8514 §4.2).
struct SearchKey {
  // clang-format off
  enum class Op {
    kAnd,  // a parenthesised list, and the whole program: all children
    kOr,   // 2 children
    kNot,  // 1 child
    kSeqSet, kAll,
    kAnswered, kDeleted, kDraft, kFlagged, kSeen, kNew, kOld, kRecent,
    kUnanswered, kUndeleted, kUndraft, kUnflagged, kUnseen,
    kKeyword, kUnkeyword,                           // value: the keyword
    kBcc, kBody, kCc, kFrom, kSubject, kText, kTo,  // value: the text
    kHeader,                                        // field, value
    kBefore, kOn, kSince, kSentBefore, kSentOn, kSentSince,
    kSavedBefore, kSavedOn, kSavedSince, kSaveDateSupported,
    kLarger, kSmaller,                              // number: octets
    kOlder, kYounger,                               // number: seconds
    kUid,                                           // set
    kModSeq,                                        // number; field: entry name
  };
  // clang-format on
  enum class EntryType { kNone, kPriv, kShared, kAll };  // RFC 7162 §3.1.5 entry-type-req

  Op op = Op::kAll;
  std::string field;  // kHeader: field name; kModSeq: entry name, e.g. "/flags/\draft"
  std::string value;  // text keys, header value, keyword
  Date date;          // date keys
  uint64_t number = 0;
  EntryType entry_type = EntryType::kNone;
  SequenceSet set;  // kSeqSet, kUid
  std::vector<SearchKey> children;
  bool operator==(const SearchKey&) const = default;
};

// SEARCH RETURN options (ESEARCH RFC 4731 §3.1, SEARCHRES RFC 5182 §2.1,
// CONTEXT=SEARCH RFC 5267 §4.1, PARTIAL RFC 9394 §3.1). The same list serves
// SEARCH, ESEARCH and SORT (RFC 5267 §3).
enum class SearchReturn { kMin, kMax, kAll, kCount, kSave, kUpdate, kPartial };

// PARTIAL first:last (RFC 9394 §3.1): positions in the result counted from 1,
// both positive (from the first message) or both negative (-1 is the last
// message). The parser orders them so that `first` is the one nearer that
// end: "4:2" is {2, 4}, "-100:-1" is {-1, -100}.
struct PartialRange {
  int64_t first = 0, last = 0;
  bool operator==(const PartialRange&) const = default;
};

// One mailbox filter of ESEARCH IN (...) (MULTISEARCH RFC 7377 §2, the
// filters of RFC 5465 §6 and "subtree-one").
struct SearchSource {
  enum class Kind {
    kSelected,
    kSelectedDelayed,
    kInboxes,
    kPersonal,
    kSubscribed,
    kSubtree,
    kSubtreeOne,
    kMailboxes
  };
  Kind kind = Kind::kSelected;
  std::vector<std::string> mailboxes;  // kSubtree, kSubtreeOne, kMailboxes
  bool operator==(const SearchSource&) const = default;
};

struct SearchArgs {
  // Present when RETURN was given: the reply is ESEARCH. An empty list
  // (RETURN ()) means ALL (RFC 4731 §3.1).
  std::optional<std::vector<SearchReturn>> returns;
  std::optional<PartialRange> partial;  // with kPartial in `returns`
  // ESEARCH IN (...) (RFC 7377 §2); absent for SEARCH and for ESEARCH
  // without source options (the selected mailbox).
  std::optional<std::vector<SearchSource>> in;
  std::optional<std::string> charset;  // upper-cased
  SearchKey program;                   // kAnd of the top-level keys
  bool operator==(const SearchArgs&) const = default;
};

// CANCELUPDATE tag... (RFC 5267 §4.2): the tags of SEARCH/SORT commands
// whose results are no longer to be updated.
struct CancelUpdateArgs {
  std::vector<std::string> tags;
  bool operator==(const CancelUpdateArgs&) const = default;
};

// SORT criteria (RFC 5256 §3; DISPLAYFROM, DISPLAYTO RFC 5957 §3).
struct SortCriterion {
  enum class Key { kArrival, kCc, kDate, kFrom, kSize, kSubject, kTo, kDisplayFrom, kDisplayTo };
  Key key = Key::kArrival;
  bool reverse = false;
  bool operator==(const SortCriterion&) const = default;
};

// SORT [RETURN (...)] (criteria) charset search-key... (RFC 5256 §3, ESORT
// RFC 5267 §3). `search` holds the RETURN options (parsed as SEARCH's), the
// charset (always given) and the program.
struct SortArgs {
  std::vector<SortCriterion> criteria;  // at least one
  SearchArgs search;
  bool operator==(const SortArgs&) const = default;
};

// THREAD algorithm charset search-key... (RFC 5256 §4).
struct ThreadArgs {
  enum class Algorithm { kOrderedSubject, kReferences };
  Algorithm algorithm = Algorithm::kReferences;
  SearchArgs search;  // charset and program; no RETURN
  bool operator==(const ThreadArgs&) const = default;
};

// BODY[section] (RFC 9051 §6.4.5).
struct Section {
  enum class Text { kNone, kHeader, kHeaderFields, kHeaderFieldsNot, kText, kMime };
  std::vector<uint32_t> part;  // "1.2" is {1, 2}; empty for the whole message
  Text text = Text::kNone;
  std::vector<std::string> fields;  // HEADER.FIELDS (.NOT) names, as sent
  bool operator==(const Section&) const = default;
};

// One FETCH data item (RFC 9051 §6.4.5; RFC822* from RFC 3501; BINARY RFC 3516;
// MODSEQ RFC 7162 §3.1.4.1; SAVEDATE RFC 8514; PREVIEW RFC 8970).
struct FetchAtt {
  // clang-format off
  enum class Kind {
    kEnvelope, kFlags, kInternalDate, kRfc822Size, kBodyStructure,
    kBody,         // BODY without a section: BODYSTRUCTURE without extensions
    kUid, kRfc822, kRfc822Header, kRfc822Text,
    kBodySection,  // BODY[...] / BODY.PEEK[...]
    kBinary,       // BINARY[...] / BINARY.PEEK[...]
    kBinarySize,   // BINARY.SIZE[...]
    kModSeq, kSaveDate, kPreview,
  };
  // clang-format on
  Kind kind = Kind::kFlags;
  bool peek = false;                       // BODY.PEEK / BINARY.PEEK: do not set \Seen
  Section section;                         // kBodySection; for kBinary/kBinarySize only `part`
  std::optional<uint64_t> partial_offset;  // <offset.count>
  uint64_t partial_count = 0;
  bool preview_lazy = false;  // PREVIEW (LAZY)
  bool operator==(const FetchAtt&) const = default;
};

// FETCH set items [(CHANGEDSINCE modseq [VANISHED])] (RFC 9051 §6.4.5,
// RFC 7162 §3.1.4.1, §3.2.6). The macros ALL, FAST, FULL are expanded.
struct FetchArgs {
  SequenceSet set;
  std::vector<FetchAtt> atts;
  std::optional<uint64_t> changed_since;
  bool vanished = false;  // only with UID FETCH and CHANGEDSINCE
  bool operator==(const FetchArgs&) const = default;
};

// STORE set [(UNCHANGEDSINCE modseq)] (+|-)FLAGS[.SILENT] flags
// (RFC 9051 §6.4.6, RFC 7162 §3.1.3).
struct StoreArgs {
  enum class Mode { kReplace, kAdd, kRemove };
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;
  Mode mode = Mode::kReplace;
  bool silent = false;
  std::vector<std::string> flags;  // as sent
  bool operator==(const StoreArgs&) const = default;
};

// COPY / MOVE set mailbox (RFC 9051 §6.4.7, §6.4.8).
struct CopyArgs {
  SequenceSet set;
  std::string mailbox;
  bool operator==(const CopyArgs&) const = default;
};

// EXPUNGE, and UID EXPUNGE set (RFC 9051 §6.4.3, UIDPLUS RFC 4315 §2.1).
struct ExpungeArgs {
  std::optional<SequenceSet> uids;  // only with UID EXPUNGE
  bool operator==(const ExpungeArgs&) const = default;
};

// GETQUOTA quota-root-name (RFC 9208 §4.3.1).
struct QuotaRootArgs {
  std::string root;  // astring, as sent
  bool operator==(const QuotaRootArgs&) const = default;
};

// SETQUOTA quota-root-name (resource-name limit ...) (RFC 9208 §4.3.3).
struct SetQuotaArgs {
  std::string root;
  std::vector<std::pair<std::string, uint64_t>> limits;  // names upper-cased; may be empty
  bool operator==(const SetQuotaArgs&) const = default;
};

// ID (params) | NIL (RFC 2971 §3.1).
struct IdArgs {
  bool nil = false;
  std::vector<std::pair<std::string, std::optional<std::string>>> params;
  bool operator==(const IdArgs&) const = default;
};

// COMPRESS mechanism (RFC 4978 §3).
struct CompressArgs {
  std::string mechanism;  // upper-cased
  bool operator==(const CompressArgs&) const = default;
};

// NOTIFY NONE / NOTIFY SET [STATUS] event-group... (RFC 5465 §3, §8).
struct NotifyFilter {
  enum class Kind {
    kSelected,
    kSelectedDelayed,
    kInboxes,
    kPersonal,
    kSubscribed,
    kSubtree,
    kMailboxes
  };
  Kind kind = Kind::kSelected;
  std::vector<std::string> mailboxes;  // kSubtree and kMailboxes: decoded names
  bool operator==(const NotifyFilter&) const = default;
};
struct NotifyEvent {
  // As RFC 5465 §8 spells it ("MessageNew", "FlagChange", ...) when known
  // (matched case-insensitively), else the atom as sent.
  std::string name;
  std::vector<FetchAtt> fetch;  // MessageNew's fetch attributes
  bool operator==(const NotifyEvent&) const = default;
};
struct NotifyGroup {
  NotifyFilter filter;
  std::vector<NotifyEvent> events;  // empty: NONE
  bool operator==(const NotifyGroup&) const = default;
};
struct NotifyArgs {
  bool none = false;    // NOTIFY NONE
  bool status = false;  // SET STATUS
  std::vector<NotifyGroup> groups;
  bool operator==(const NotifyArgs&) const = default;
};

// GETMETADATA [(MAXSIZE n DEPTH d)] mailbox (entry...) (RFC 5464 §4.2).
// The mailbox "" names the server's entries.
struct GetMetadataArgs {
  std::string mailbox;
  std::optional<uint32_t> maxsize;
  int depth = 0;                     // 0, 1, or -1 for "infinity"
  std::vector<std::string> entries;  // as sent, e.g. "/private/comment"
  bool operator==(const GetMetadataArgs&) const = default;
};

// SETMETADATA mailbox (entry value ...) (RFC 5464 §4.3); a NIL value removes.
struct SetMetadataArgs {
  std::string mailbox;
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  bool operator==(const SetMetadataArgs&) const = default;
};

using Args = std::variant<NoArgs, AuthenticateArgs, LoginArgs, EnableArgs, SelectArgs, MailboxArgs,
                          CreateArgs, RenameArgs, ListArgs, LsubArgs, StatusArgs, AppendArgs,
                          SearchArgs, FetchArgs, StoreArgs, CopyArgs, ExpungeArgs, IdArgs,
                          QuotaRootArgs, SetQuotaArgs, CancelUpdateArgs, CompressArgs, NotifyArgs,
                          SortArgs, ThreadArgs, ReplaceArgs, GetMetadataArgs, SetMetadataArgs>;

struct Command {
  std::string tag;
  Verb verb = Verb::kNoop;
  bool uid = false;  // UID COPY/MOVE/FETCH/SEARCH/STORE/EXPUNGE/SORT/THREAD
  Args args;
  // Set when a mailbox argument is not valid modified UTF-7 (RFC 3501
  // §5.1.3): the command is well-formed, but names no mailbox that can exist,
  // so the server answers NO, not BAD. The argument holds the name as sent.
  std::string invalid_name;
  bool operator==(const Command&) const = default;
};

// "FETCH", "UID FETCH", "STARTTLS", ... as the command is spelled on the wire.
std::string command_name(Verb verb, bool uid);
// "MESSAGES", "UIDNEXT", ... (RFC 9051 §9 status-att).
const char* status_item_name(StatusItem item);

}  // namespace mox::imap
