// IMAP sequence sets (RFC 9051 §9 sequence-set, with "$" from SEARCHRES,
// RFC 5182 §2): message sequence numbers or UIDs, ranges, "*" and "$".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::imap {

// One element: a number (first == last) or a range. kStar stands for "*",
// the largest number in use (RFC 9051 §9 seq-number); 0 is never a valid
// number, so it is free for that.
struct SeqRange {
  static constexpr uint32_t kStar = 0;
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const SeqRange&) const = default;
};

// A parsed sequence set, elements in the client's order. Only parse() or
// from_numbers() make one (docs/DESIGN.md "Code conventions"). Immutable,
// copyable.
class SequenceSet {
 public:
  SequenceSet() = default;  // empty; only as a placeholder in argument structs

  // sequence-set = (seq-number / seq-range / "$") *("," ...). Numbers are
  // nz-number (1..4294967295, no leading zero); "$" may not be a range end.
  static Result<SequenceSet> parse(std::string_view text);
  // Sorted, de-duplicated, adjacent numbers merged into ranges. 0 is dropped.
  static SequenceSet from_numbers(std::vector<uint32_t> numbers);

  const std::vector<SeqRange>& ranges() const { return ranges_; }
  bool empty() const { return ranges_.empty() && !search_result_; }
  // "$": the result saved by SEARCH RETURN (SAVE) (RFC 5182 §2.1).
  bool search_result() const { return search_result_; }
  bool has_star() const;
  // Whether n is in the set, with "*" meaning `star` (the largest sequence
  // number or UID in the mailbox, RFC 9051 §6.4.8: "*" in a UID range always
  // includes the largest UID even when it is below the range start). A range
  // x:y equals y:x. "$" is not resolved here: the caller expands it.
  bool contains(uint32_t n, uint32_t star) const;
  // The set rendered back in IMAP syntax, elements in order.
  std::string to_string() const;

  bool operator==(const SequenceSet&) const = default;

 private:
  std::vector<SeqRange> ranges_;
  bool search_result_ = false;
};

}  // namespace mox::imap
