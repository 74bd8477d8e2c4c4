#include "imap/sequence.h"

#include <algorithm>

namespace mox::imap {
namespace {

// seq-number = nz-number / "*"; nz-number = digit-nz *DIGIT, below 2^32.
Result<uint32_t> parse_seq_number(std::string_view s) {
  if (s == "*") return SeqRange::kStar;
  if (s.empty() || s[0] < '1' || s[0] > '9') {
    return syntax_error("invalid sequence number (RFC 9051 §9 nz-number)");
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return syntax_error("invalid sequence number (RFC 9051 §9 nz-number)");
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 0xffffffffu) return syntax_error("sequence number above 4294967295");
  }
  return static_cast<uint32_t>(v);
}

void append_number(std::string& out, uint32_t n) {
  if (n == SeqRange::kStar) {
    out += '*';
  } else {
    out += std::to_string(n);
  }
}

}  // namespace

Result<SequenceSet> SequenceSet::parse(std::string_view text) {
  SequenceSet set;
  if (text.empty()) return syntax_error("empty sequence set");
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view elem =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (elem == "$") {
      set.search_result_ = true;
    } else {
      size_t colon = elem.find(':');
      MOX_ASSIGN(uint32_t first, parse_seq_number(elem.substr(0, colon)));
      uint32_t last = first;
      if (colon != std::string_view::npos) {
        MOX_ASSIGN(last, parse_seq_number(elem.substr(colon + 1)));
      }
      set.ranges_.push_back({first, last});
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

SequenceSet SequenceSet::from_numbers(std::vector<uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  SequenceSet set;
  for (uint32_t n : numbers) {
    if (n == 0) continue;
    if (!set.ranges_.empty() && set.ranges_.back().last + 1 == n) {
      set.ranges_.back().last = n;
    } else {
      set.ranges_.push_back({n, n});
    }
  }
  return set;
}

bool SequenceSet::has_star() const {
  return std::any_of(ranges_.begin(), ranges_.end(), [](const SeqRange& r) {
    return r.first == SeqRange::kStar || r.last == SeqRange::kStar;
  });
}

bool SequenceSet::contains(uint32_t n, uint32_t star) const {
  for (const SeqRange& r : ranges_) {
    uint32_t a = r.first == SeqRange::kStar ? star : r.first;
    uint32_t b = r.last == SeqRange::kStar ? star : r.last;
    if (a > b) std::swap(a, b);
    if (n >= a && n <= b) return true;
  }
  return false;
}

std::string SequenceSet::to_string() const {
  std::string out;
  for (const SeqRange& r : ranges_) {
    if (!out.empty()) out += ',';
    append_number(out, r.first);
    if (r.last != r.first) {
      out += ':';
      append_number(out, r.last);
    }
  }
  if (search_result_) out += out.empty() ? "$" : ",$";
  return out;
}

}  // namespace mox::imap
