// What IMAP asks of a message all the time, computed once when the message is
// added and kept in the account's index.db (docs/DESIGN.md "Reading mail"):
// - the FETCH renderings ENVELOPE, BODYSTRUCTURE and BODY (RFC 9051 §7.5.2)
//   in Message.ImapEnvelope / ImapBodyStructure / ImapBody (NULL: not
//   computed yet), so FETCH does not read or parse the message file;
// - the decoded text for SEARCH (message/searchtext.h) in the FTS5 table
//   MessageText, rowid = Message.ID, columns Headers and Body, with an index
//   of case-folded trigrams that finds the candidates for a substring search
//   (RFC 9051 §6.4.4) without reading every message.
// Message.Parsed = 1 says both are there; Parsed = 0 that the search text
// is not indexed yet (and maybe the FETCH forms are missing too).
//
// deliver() stores both in the transaction that inserts the row. Mail
// received by SMTP (SharedAccount) gets its FETCH forms with the row and
// its search text indexed by the delivering process right behind it, when
// deliveries pause (store/shared.h): indexing the text costs more than the
// rest of a delivery, and need not hold up the reply to the sender. Copies
// take both over from the source; expunge removes the text. Whatever is not
// indexed (mail waiting for the indexer, a process that ended first,
// messages stored before migration 4) is indexed by ensure_parsed() before a
// search and by fetch_forms() before a FETCH, so SEARCH always answers from
// a complete index. Each batch is one transaction: after a crash a message is
// indexed or it is not, never half.
//
// A message that mox-smtpd parsed when it came in (DeliverRequest::parsed,
// message/parsed.h) is not parsed again: its FETCH forms are rendered from
// that structure, and SharedAccount keeps the bytes of a small message in
// memory (store/kept.h) until its search text is indexed, so the indexer
// reads no file either. Larger messages, and what does not fit in the
// bound, are read back from their files and parsed by the indexer
// (docs/DESIGN.md "Incoming mail").
//
// The FETCH forms carry the version of the code that rendered them
// (Message.FormsVersion): when a fix changes how ENVELOPE or BODYSTRUCTURE
// are rendered, kFormsVersion goes up, and fetch_forms() renders the forms
// of older versions again from the message file (and stores them) on their
// next FETCH, so a fix reaches messages stored before it.
//
// Not thread-safe beyond what AccountStore is: one caller per AccountStore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/parsed.h"
#include "store/account.h"
#include "store/deliver.h"
#include "util/result.h"

namespace mox::store {

// The version of the FETCH forms this code renders; raise it with every
// change to message/envelope.cc, message/bodystructure.cc or
// imapstring/imapstring.cc output. 2: strings over 1024 octets are literals.
// 3: ENVELOPE addresses carry an obsolete source route as the adl.
constexpr int64_t kFormsVersion = 3;

class KeptMessages;  // store/kept.h

struct FetchForms {
  std::string envelope, bodystructure, body;  // FETCH item values, ready to send
};

struct ParsedMessage {
  FetchForms fetch;
  std::string headers;  // message::header_lines() of the decoded header fields
  std::string text;     // decoded text parts (message::SearchText::body)
};

// Parses a message file's bytes (the whole file, prefix included).
ParsedMessage parse_for_index(std::string_view message);
// Only the FETCH forms of parse_for_index().
FetchForms parse_fetch_forms(std::string_view message);
// The same of a message parsed already: `parsed` is message::parse() of
// `message` (or what prepend() gave for it). No parsing, but for the text
// of the parts; parse_for_index(message) when `parsed` is not of `message`'s
// size.
FetchForms fetch_forms_of(const message::Parsed& parsed);
ParsedMessage index_form(std::string_view message, const message::Parsed& parsed);

// Inside a write transaction: stores `p` for message `id`, whose row exists.
Status store_parsed(db::Db& db, int64_t id, const ParsedMessage& p);
// Inside a write transaction: stores the FETCH forms of message `id`,
// leaving Parsed = 0 (search text to be indexed).
Status store_fetch_forms(db::Db& db, int64_t id, const FetchForms& f);

// Messages parsed from their files, to be stored by store_parsed_batch().
struct ParsedFile {
  int64_t id;
  ParsedMessage parsed;
};
// Reads and parses the files of messages `ids` (no database access); a
// message whose file is gone (expunged meanwhile) is left out. Messages in
// `kept` are taken from there instead, without reading or parsing.
std::vector<ParsedFile> parse_message_files(const std::string& account_dir,
                                            const std::vector<int64_t>& ids,
                                            KeptMessages* kept = nullptr);
// In one write transaction: stores each of `files` that still needs it (not
// expunged, not indexed meanwhile by another process).
Status store_parsed_batch(db::Db& db, const std::vector<ParsedFile>& files);
// Inside a write transaction: gives message `to` the parsed forms of message
// `from` (a copy of the same file), or none if `from` has none yet.
Status copy_parsed(db::Db& db, int64_t from, int64_t to);

// The origin of message `id` (store/deliver.h MessageAuth), in the caller's
// transaction; load_message_auth gives nullopt for no such row.
Status store_message_auth(db::Db& db, int64_t id, const MessageAuth& a);
Result<std::optional<MessageAuth>> load_message_auth(db::Db& db, int64_t id);
// Inside a write transaction: removes the search text of message `id`
// (expunged or deleted); no-op when it has none.
Status remove_search_text(db::Db& db, int64_t id);

// The FETCH renderings of messages `ids`, in the same order. A message
// without them (stored before migration 4) is parsed now and stored with its
// search text; one whose file is gone (expunged meanwhile) gets those of an
// empty message.
Result<std::vector<FetchForms>> fetch_forms(AccountStore& a, const std::vector<int64_t>& ids);

// Parses and indexes the messages of a mailbox whose search text is not
// indexed yet, so that text_search() sees all of them.
Status ensure_parsed(AccountStore& a, int64_t mailbox_id);

// Minimum needle length in code points for text_search(): the tokenizer
// indexes trigrams, shorter needles match nothing and need a scan.
inline constexpr size_t kMinIndexedNeedle = 3;
// IDs of messages (any mailbox), ascending, whose search text (header lines
// or body) holds every trigram of `needle`, case-insensitively: a superset
// of the messages that contain the needle, to be checked against their
// stored text (SearchTextReader, message::contains_folded). Precondition:
// needle has at least kMinIndexedNeedle code points.
Result<std::vector<int64_t>> text_search(AccountStore& a, std::string_view needle);

// Reads the stored search text of single messages (for what the index
// cannot answer alone: short needles, HEADER field names, SENT* dates).
class SearchTextReader {
 public:
  explicit SearchTextReader(AccountStore& a) : a_(a) {}
  // Empty when the message has no search text.
  Result<std::string> headers(int64_t id);
  Result<std::string> body(int64_t id);

 private:
  Result<std::string> column(db::Stmt& q, const char* sql, int64_t id);
  AccountStore& a_;
  db::Stmt headers_, body_;
};

}  // namespace mox::store
