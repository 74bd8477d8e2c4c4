#include "imapserver/thread.h"

#include <algorithm>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace mox::imapserver {
namespace {

constexpr int kNone = -1;

// A message of the thread tree, or a dummy (item kNone) standing for a
// message that is referred to but not there.
struct Node {
  int item = kNone;
  int parent = kNone;
  std::vector<int> children;
};

class Tree {
 public:
  explicit Tree(const std::vector<ThreadItem>& items) : items_(items) {}

  int add(int item) {
    nodes_.push_back({item, kNone, {}});
    return static_cast<int>(nodes_.size()) - 1;
  }
  Node& operator[](int n) { return nodes_[static_cast<size_t>(n)]; }
  size_t size() const { return nodes_.size(); }
  bool dummy(int n) const { return node(n).item == kNone; }
  const ThreadItem& item(int n) const { return items_[static_cast<size_t>(node(n).item)]; }

  // Whether `a` is `b` or one of b's ancestors: linking `a` under `b` would
  // make a loop.
  bool loop(int a, int b) const {
    for (int n = b; n != kNone; n = node(n).parent) {
      if (n == a) return true;
    }
    return false;
  }
  void link(int parent, int child) {
    (*this)[child].parent = parent;
    (*this)[parent].children.push_back(child);
  }
  void unlink(int child) {
    std::vector<int>& sib = (*this)[node(child).parent].children;
    sib.erase(std::find(sib.begin(), sib.end(), child));
    (*this)[child].parent = kNone;
  }

  // The message a node sorts and is named by: itself, or a dummy's first
  // child (RFC 5256 §4 REFERENCES steps 4 and 6).
  int representative(int n) const {
    while (dummy(n) && !node(n).children.empty()) n = node(n).children.front();
    return n;
  }
  // RFC 5256 §2.2: sent date, then sequence number.
  bool before(int a, int b) const {
    const ThreadItem& x = item(representative(a));
    const ThreadItem& y = item(representative(b));
    return std::tie(x.sent, x.seq) < std::tie(y.sent, y.seq);
  }
  void sort(std::vector<int>& v) const {
    std::stable_sort(v.begin(), v.end(), [this](int a, int b) { return before(a, b); });
  }

 private:
  const Node& node(int n) const { return nodes_[static_cast<size_t>(n)]; }
  const std::vector<ThreadItem>& items_;
  std::vector<Node> nodes_;
};

// The thread-list of `roots` (RFC 5256 §5): "(" thread-members or
// thread-nested ")" per root. Iterative: a chain may be long.
std::string render(Tree& t, const std::vector<int>& roots) {
  struct Task {
    int node;
    std::string_view text;  // appended when node is kNone
  };
  std::string out;
  std::vector<Task> stack;
  auto push_nested = [&](const std::vector<int>& kids) {
    for (size_t i = kids.size(); i-- > 0;) {
      stack.push_back({kNone, ")"});
      stack.push_back({kids[i], {}});
      stack.push_back({kNone, "("});
    }
  };
  for (int r : roots) {
    out += '(';
    stack.push_back({r, {}});
    while (!stack.empty()) {
      Task task = stack.back();
      stack.pop_back();
      if (task.node == kNone) {
        out += task.text;
        continue;
      }
      const std::vector<int>& kids = t[task.node].children;
      if (t.dummy(task.node) && kids.size() == 1) {
        stack.push_back({kids[0], {}});
        continue;
      }
      if (!t.dummy(task.node)) out += std::to_string(t.item(task.node).number);
      if (t.dummy(task.node)) {
        push_nested(kids);
      } else if (kids.size() == 1) {
        stack.push_back({kids[0], {}});
        stack.push_back({kNone, " "});
      } else if (kids.size() > 1) {
        push_nested(kids);
        stack.push_back({kNone, " "});
      }
    }
    out += ')';
  }
  return out;
}

// REFERENCES step 1: the tree of parents and children from the IDs.
void link_references(Tree& t, const std::vector<ThreadItem>& items) {
  std::unordered_map<std::string_view, int> ids;
  auto container = [&](std::string_view id) {
    auto [it, added] = ids.emplace(id, 0);
    if (added) it->second = t.add(kNone);
    return it->second;
  };
  for (size_t i = 0; i < items.size(); ++i) {
    const message::SortKeys& k = *items[i].keys;
    int self = kNone;
    if (!k.message_id.empty()) {
      int c = container(k.message_id);
      // A second message with the same ID is taken to have a unique one.
      if (t.dummy(c)) self = c;
    }
    if (self == kNone) self = t.add(kNone);
    t[self].item = static_cast<int>(i);
    // (A) Each reference the parent of the next, unless it has a parent
    // already or the link would make a loop.
    int prev = kNone;
    for (const std::string& ref : k.references) {
      int r = container(ref);
      if (prev != kNone && t[r].parent == kNone && !t.loop(r, prev)) t.link(prev, r);
      prev = r;
    }
    // (B) The last reference is the message's parent.
    if (t[self].parent != kNone) t.unlink(self);
    if (prev != kNone && !t.loop(self, prev)) t.link(prev, self);
  }
}

// REFERENCES step 3: dummies without children go; those with children are
// replaced by them, at the top level only when there is one.
std::vector<int> prune(Tree& t, std::vector<int> roots) {
  std::vector<int> order;  // pre-order
  std::vector<int> stack(roots.rbegin(), roots.rend());
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    order.push_back(n);
    for (int c : t[n].children) stack.push_back(c);
  }
  auto pruned = [&](const std::vector<int>& kids, bool top) {
    std::vector<int> out;
    for (int c : kids) {
      const std::vector<int>& grand = t[c].children;
      if (!t.dummy(c) || (top && grand.size() > 1)) {
        out.push_back(c);
      } else {
        out.insert(out.end(), grand.begin(), grand.end());
      }
    }
    return out;
  };
  // Children before their parents, so that what is spliced is pruned.
  for (size_t i = order.size(); i-- > 0;) {
    int n = order[i];
    t[n].children = pruned(t[n].children, false);
  }
  return pruned(roots, true);
}

// REFERENCES step 5: top-level threads of the same base subject merged.
void merge_subjects(Tree& t, std::vector<int>& roots) {
  auto subject = [&](int n) -> const std::string& {
    return t.item(t.representative(n)).keys->subject;
  };
  auto reply = [&](int n) { return !t.dummy(n) && t.item(n).keys->reply; };
  std::unordered_map<std::string_view, int> table;
  for (int r : roots) {  // (B)
    const std::string& s = subject(r);
    if (s.empty()) continue;
    auto [it, added] = table.emplace(s, r);
    if (!added && !t.dummy(it->second) && (t.dummy(r) || (reply(it->second) && !reply(r)))) {
      it->second = r;
    }
  }
  std::vector<int> kept;
  for (int r : roots) {  // (C)
    const std::string& s = subject(r);
    auto it = s.empty() ? table.end() : table.find(s);
    if (it == table.end() || it->second == r) {
      kept.push_back(r);
      continue;
    }
    int m = it->second;
    if (t.dummy(m) && t.dummy(r)) {
      for (int c : t[r].children) t.link(m, c);
      t[r].children.clear();
    } else if (t.dummy(m) || (reply(r) && !reply(m))) {
      t.link(m, r);
    } else {
      int d = t.add(kNone);
      std::replace(roots.begin(), roots.end(), m, d);
      std::replace(kept.begin(), kept.end(), m, d);
      t.link(d, m);
      t.link(d, r);
      it->second = d;
    }
  }
  roots = std::move(kept);
}

}  // namespace

std::string thread_orderedsubject(const std::vector<ThreadItem>& items) {
  Tree t(items);
  std::vector<int> order;
  for (size_t i = 0; i < items.size(); ++i) order.push_back(t.add(static_cast<int>(i)));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const ThreadItem& x = t.item(a);
    const ThreadItem& y = t.item(b);
    return std::tie(x.keys->subject, x.sent, x.seq) < std::tie(y.keys->subject, y.sent, y.seq);
  });
  // The first message of a subject is the thread; the others, its children.
  std::vector<int> roots;
  for (int n : order) {
    if (!roots.empty() && t.item(roots.back()).keys->subject == t.item(n).keys->subject) {
      t.link(roots.back(), n);
    } else {
      roots.push_back(n);
    }
  }
  t.sort(roots);
  return render(t, roots);
}

std::string thread_references(const std::vector<ThreadItem>& items) {
  Tree t(items);
  link_references(t, items);
  std::vector<int> roots;  // step 2
  for (size_t n = 0; n < t.size(); ++n) {
    if (t[static_cast<int>(n)].parent == kNone) roots.push_back(static_cast<int>(n));
  }
  roots = prune(t, std::move(roots));
  for (int r : roots) t.sort(t[r].children);  // step 4
  t.sort(roots);
  merge_subjects(t, roots);
  for (size_t n = 0; n < t.size(); ++n) t.sort(t[static_cast<int>(n)].children);  // step 6
  t.sort(roots);
  return render(t, roots);
}

}  // namespace mox::imapserver
