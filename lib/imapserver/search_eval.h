// Internal to lib/imapserver: a SEARCH program (RFC 9051 §6.4.4) evaluated
// against message rows, shared by SEARCH, ESEARCH (RFC 7377) and the results
// kept up to date for CONTEXT=SEARCH (RFC 5267 §4). Flags, dates and sizes
// come from the rows; text keys (BODY, TEXT, FROM, SUBJECT, HEADER...) from
// the decoded text stored at delivery (store/parsed.h), matched
// case-insensitively (message::fold_case).
//
// A SearchProgram borrows the SearchKey it was prepared from, which must
// outlive it and stay where it is. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "imap/command.h"
#include "imapserver/mailstore.h"
#include "store/messages.h"
#include "util/result.h"

namespace mox::imapserver {

// What "*" and "$" mean where the program is evaluated.
struct SearchView {
  const std::vector<int64_t>& saved;  // SEARCHRES "$", as UIDs (RFC 5182)
  uint32_t max_seq = 0, max_uid = 0;
  // UIDs with \Recent in this session, ascending (IMAP4rev1, see
  // lib/imapserver/recent.cc); none when null.
  const std::vector<int64_t>* recent = nullptr;
};

class SearchProgram {
 public:
  // With `use_index`, a text key whose needle is long enough for the
  // trigram index asks it once for the messages that may hold the needle,
  // and only their text is read (a SEARCH over a mailbox); without, each
  // message's text is read (a few messages, as for updates).
  static Result<SearchProgram> prepare(const imap::SearchKey& program, Mailstore& st,
                                       bool use_index);
  // Whether the program has keys answered from the stored text (which
  // Mailstore::ensure_parsed makes complete).
  bool needs_text() const { return needs_text_; }
  bool matches(const store::MessageRow& m, uint32_t seq, const SearchView& v,
               SearchText& text) const;

  // How one text key is answered.
  struct TextKey {
    std::string field;   // lower-cased header field name, "" for BODY/TEXT
    std::string folded;  // message::fold_case of the needle
    // The IDs of the messages that may contain the needle (ascending), when
    // the index was asked; only those are checked against their text.
    std::optional<std::vector<int64_t>> candidates;
  };

 private:
  explicit SearchProgram(const imap::SearchKey& p) : program_(&p) {}
  const imap::SearchKey* program_;
  bool needs_text_ = false;
  std::map<const imap::SearchKey*, TextKey> text_;
};

class CommandBudget;

// A program run over a mailbox's messages in sequence order (a null entry:
// a message the session still shows but that is gone from the store): the
// indexes of those that match, and their highest modseq. `stopped` when the
// budget ran out first.
struct SearchRun {
  std::vector<size_t> matches;
  int64_t max_modseq = 0;
  bool stopped = false;
};
SearchRun run_search(const SearchProgram& p, const std::vector<const store::MessageRow*>& rows,
                     const SearchView& v, SearchText& text, CommandBudget& budget);

// Whether the program has keys answered from the stored text.
bool search_needs_text(const imap::SearchKey& k);
// The keys of a program, nested ones included.
size_t count_search_keys(const imap::SearchKey& k);
// Whether the program has a MODSEQ key (RFC 7162 §3.1.5).
bool search_uses_modseq(const imap::SearchKey& k);
// Whether a result of the program stays right when only the messages that
// arrive or change are evaluated again (RFC 5267 §4.1): not with message
// sequence numbers (they move on expunge), "$" (it changes with SAVE) or
// OLDER/YOUNGER (they change with the clock).
bool search_updatable(const imap::SearchKey& k);

}  // namespace mox::imapserver
