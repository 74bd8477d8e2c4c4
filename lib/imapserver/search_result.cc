// The ESEARCH response (imapserver/search_result.h).
#include "imapserver/search_result.h"

#include <algorithm>

#include "imap/writer.h"

namespace mox::imapserver {

using imap::SearchReturn;

std::string esearch_head(const EsearchHead& h) {
  std::string out = "* ESEARCH (TAG ";
  imap::append_string(out, h.tag, false);
  if (h.mailbox) {
    out += " MAILBOX ";
    imap::append_mailbox(out, *h.mailbox, h.utf8);
    out += " UIDVALIDITY " + std::to_string(h.uidvalidity);
  }
  out += ")";
  if (h.uid) out += " UID";
  return out;
}

std::vector<uint32_t> partial_hits(const std::vector<uint32_t>& hits, const imap::PartialRange& p) {
  // Positions from 1 at the start, or from -1 at the end (RFC 9394 §3.1).
  int64_t n = static_cast<int64_t>(hits.size());
  int64_t lo = p.first > 0 ? p.first - 1 : n + p.last;
  int64_t hi = p.first > 0 ? p.last - 1 : n + p.first;  // inclusive
  lo = std::max<int64_t>(lo, 0);
  hi = std::min<int64_t>(hi, n - 1);
  if (lo > hi) return {};
  return std::vector<uint32_t>(hits.begin() + lo, hits.begin() + hi + 1);
}

std::string ordered_set_string(const std::vector<uint32_t>& numbers) {
  std::string out;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(numbers[i]);
    if (j > i) out += ":" + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

std::string esearch_items(const std::vector<uint32_t>& hits,
                          const std::vector<SearchReturn>& returns,
                          const std::optional<imap::PartialRange>& partial, bool sorted) {
  auto want = [&](SearchReturn r) {
    return std::find(returns.begin(), returns.end(), r) != returns.end();
  };
  auto set = [&](const std::vector<uint32_t>& v) {
    return sorted ? ordered_set_string(v) : imap::sequence_set_string(v);
  };
  std::string r;
  if (!hits.empty()) {
    // For ESORT the first and last in sort order (RFC 5267 §3.2).
    uint32_t min = sorted ? hits.front() : *std::min_element(hits.begin(), hits.end());
    uint32_t max = sorted ? hits.back() : *std::max_element(hits.begin(), hits.end());
    if (want(SearchReturn::kMin)) r += " MIN " + std::to_string(min);
    if (want(SearchReturn::kMax)) r += " MAX " + std::to_string(max);
    if (returns.empty() || want(SearchReturn::kAll)) r += " ALL " + set(hits);
  }
  if (want(SearchReturn::kCount)) r += " COUNT " + std::to_string(hits.size());
  if (partial) {
    // RFC 9394 §3.1: the range as asked, then the messages in it or NIL.
    std::vector<uint32_t> part = partial_hits(hits, *partial);
    r += " PARTIAL (" + std::to_string(partial->first) + ":" + std::to_string(partial->last) + " " +
         (part.empty() ? "NIL" : set(part)) + ")";
  }
  return r;
}

std::string context_update_item(bool add, uint32_t position, std::string_view set) {
  return std::string(add ? " ADDTO (" : " REMOVEFROM (") + std::to_string(position) + " " +
         std::string(set) + ")";
}

}  // namespace mox::imapserver
