#include "imapserver/sort.h"

#include <algorithm>

namespace mox::imapserver {
namespace {

using Key = imap::SortCriterion::Key;

template <class T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

// <0, 0, >0 as `a` sorts before, with or after `b` by `key`, ascending.
int compare(const SortItem& a, const SortItem& b, Key key) {
  const message::SortKeys& x = *a.keys;
  const message::SortKeys& y = *b.keys;
  switch (key) {
    case Key::kArrival:
      return three_way(a.received, b.received);
    case Key::kCc:
      return x.cc.compare(y.cc);
    case Key::kDate:
      return three_way(sent_date(x, a.received), sent_date(y, b.received));
    case Key::kFrom:
      return x.from.compare(y.from);
    case Key::kSize:
      return three_way(a.size, b.size);
    case Key::kSubject:
      return x.subject.compare(y.subject);
    case Key::kTo:
      return x.to.compare(y.to);
    case Key::kDisplayFrom:
      return x.display_from.compare(y.display_from);
    case Key::kDisplayTo:
      return x.display_to.compare(y.display_to);
  }
  return 0;
}

}  // namespace

int64_t sent_date(const message::SortKeys& k, int64_t received) {
  return k.sent ? *k.sent : received;
}

void sort_items(std::vector<SortItem>& items, const std::vector<imap::SortCriterion>& criteria) {
  std::sort(items.begin(), items.end(), [&](const SortItem& a, const SortItem& b) {
    for (const auto& c : criteria) {
      int r = compare(a, b, c.key);
      if (r != 0) return c.reverse ? r > 0 : r < 0;
    }
    return a.seq < b.seq;
  });
}

}  // namespace mox::imapserver
