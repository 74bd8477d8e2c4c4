// What IMAP asks of a message all the time, computed once when the message is
// added and kept in the account's index.db (DESIGN.md "The account store"):
// - the FETCH renderings ENVELOPE, BODYSTRUCTURE and BODY (RFC 9051 §7.5.2)
//   in Message.ImapEnvelope / ImapBodyStructure / ImapBody, so FETCH does not
//   read or parse the message file;
// - the decoded text for SEARCH (message/searchtext.h) in the FTS5 table
//   MessageText, rowid = Message.ID, columns Headers and Body, with an index
//   of case-folded trigrams that finds the candidates for a substring search
//   (RFC 9051 §6.4.4) without reading every message.
// Message.Parsed = 1 says both are there. deliver() stores them in the
// transaction that inserts the row; copies take them over from the source;
// expunge removes the text. Messages stored before migration 4 have
// Parsed = 0 and are parsed on first use (fetch_forms, ensure_parsed), each
// in its own transaction: after a crash a message is parsed or it is not,
// never half.
//
// Not thread-safe beyond what AccountStore is: one caller per AccountStore.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/account.h"
#include "util/result.h"

namespace mox::store {

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

// Inside a write transaction: stores `p` for message `id`, whose row exists.
Status store_parsed(Db& db, int64_t id, const ParsedMessage& p);
// Inside a write transaction: gives message `to` the parsed forms of message
// `from` (a copy of the same file), or none if `from` has none yet.
Status copy_parsed(Db& db, int64_t from, int64_t to);
// Inside a write transaction: removes the search text of message `id`
// (expunged or deleted); no-op when it has none.
Status remove_search_text(Db& db, int64_t id);

// The FETCH renderings of messages `ids`, in the same order. A message
// without them (stored before migration 4) is parsed now and stored; one
// whose file is gone (expunged meanwhile) gets those of an empty message.
Result<std::vector<FetchForms>> fetch_forms(AccountStore& a, const std::vector<int64_t>& ids);

// Parses and indexes the messages of a mailbox that have no parsed forms yet
// (stored before migration 4), so that text_search() sees all of them.
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
  Result<std::string> column(Stmt& q, const char* sql, int64_t id);
  AccountStore& a_;
  Stmt headers_, body_;
};

}  // namespace mox::store
