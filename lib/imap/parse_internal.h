// Internal to lib/imap: the per-command argument parsers that parser.cc's
// verb table dispatches to. Each starts right after the command name (its
// arguments begin with SP) and stops at the end of its grammar; parser.cc
// checks that nothing follows.
#pragma once

#include <optional>
#include <string>

#include "imap/command.h"
#include "imap/cursor.h"
#include "imap/parser.h"

namespace mox::imap::internal {

using ArgsParser = Result<Args> (*)(Cursor& c, const ParseOptions& o, bool uid);

// A name as sent, decoded per ParseOptions::utf8 (parser.h), case kept.
// Ill-formed UTF-8 is kSyntax; a name that is not valid modified UTF-7 is
// kUser: it breaks no grammar rule, it only names nothing (RFC 3501 §5.1.3).
Result<std::string> decode_name(std::string_view sent, const ParseOptions& o);
// mailbox = "INBOX" / astring (RFC 9051 §9), decoded by decode_mailbox(). A
// name that is not valid modified UTF-7 is returned as sent and noted on the
// cursor (Command::invalid_name).
Result<std::string> mailbox(Cursor& c, const ParseOptions& o);
// A LIST/LSUB reference or pattern: decoded like a mailbox name, case kept;
// nullopt when it is not valid modified UTF-7 (it matches no name).
Result<std::optional<std::string>> list_name(Cursor& c, const ParseOptions& o, bool pattern);
// status-att (RFC 9051 §9, with RECENT, SIZE, HIGHESTMODSEQ, APPENDLIMIT,
// DELETED-STORAGE).
Result<StatusItem> status_item(Cursor& c);

// One append-message after its SP (RFC 9051 §6.3.12, RFC 4469 §5).
Result<AppendMessage> append_message(Cursor& c);
// parse_catenate.cc: "(" cat-part *(SP cat-part) ")" (RFC 4469 §5).
Result<std::vector<CatenatePart>> catenate_parts(Cursor& c);
// parse_replace.cc
Result<Args> parse_replace(Cursor& c, const ParseOptions& o, bool uid);
// parse_metadata.cc
Result<Args> parse_getmetadata(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_setmetadata(Cursor& c, const ParseOptions& o, bool uid);
// parse_mailbox.cc
Result<Args> parse_select(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_create(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_mailbox_arg(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_rename(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_status(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_append(Cursor& c, const ParseOptions& o, bool uid);
// parse_list.cc
Result<Args> parse_list(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_lsub(Cursor& c, const ParseOptions& o, bool uid);
// parse_fetch.cc
Result<Args> parse_fetch(Cursor& c, const ParseOptions& o, bool uid);
// parse_message.cc
Result<Args> parse_store(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_copy(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_expunge(Cursor& c, const ParseOptions& o, bool uid);
// parse_search.cc
Result<Args> parse_search(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_esearch(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_cancelupdate(Cursor& c, const ParseOptions& o, bool uid);
// SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")", the
// cursor after "RETURN" (RFC 4731 §7, RFC 5267 §5, RFC 9394 §3.1): the one
// parser of return options, for SEARCH, ESEARCH and SORT. `partial` is set
// with kPartial.
Status search_return_options(Cursor& c, std::optional<std::vector<SearchReturn>>& returns,
                             std::optional<PartialRange>& partial);
// search-key *(SP search-key), into a.program (a kAnd).
Status search_program(Cursor& c, SearchArgs& a);
// parse_sort.cc
Result<Args> parse_sort(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_thread(Cursor& c, const ParseOptions& o, bool uid);
// parse_quota.cc
Result<Args> parse_getquota(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_setquota(Cursor& c, const ParseOptions& o, bool uid);
// parse_notify.cc (and COMPRESS)
Result<Args> parse_compress(Cursor& c, const ParseOptions& o, bool uid);
Result<Args> parse_notify(Cursor& c, const ParseOptions& o, bool uid);
// parse_fetch.cc: "(" fetch-att *(SP fetch-att) ")" (RFC 9051 §9), no macros.
Result<std::vector<FetchAtt>> fetch_att_list(Cursor& c);

}  // namespace mox::imap::internal
