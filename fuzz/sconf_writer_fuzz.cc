// libFuzzer target: the sconf writer (lib/config/sconf.h) round trip. A tree
// is built from the input; if write_sconf accepts it, parse_sconf must read
// the text back as the same tree, and writing that again must give the same
// text. Refusing is always fine. An input starting with "T" instead fills the
// free-text fields of a typed domains.conf (write_dynamic/parse_dynamic).
//
// Input language, so that seeds stay readable: "{" map "}" (key, value
// pairs), "[" list "]", "\"text\"" a scalar or key ("\\" quotes the next
// byte), "#\"text\"" a comment on the next node; other bytes are skipped and
// the end of the input closes everything still open.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace {

using mox::config::Node;

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool done() const { return pos_ >= in_.size(); }

  // The next token's first byte, skipping bytes that start none; 0 at the end.
  char peek() {
    while (!done() && std::string_view("{}[]\"#").find(in_[pos_]) == std::string_view::npos) {
      ++pos_;
    }
    return done() ? 0 : in_[pos_];
  }

  // A quoted string at the cursor (peek() == '"').
  std::string text() {
    std::string out;
    ++pos_;
    while (!done() && in_[pos_] != '"') {
      if (in_[pos_] == '\\' && pos_ + 1 < in_.size()) ++pos_;
      out += in_[pos_++];
    }
    ++pos_;
    return out;
  }

  // Comments before the next node.
  std::vector<std::string> comments() {
    std::vector<std::string> out;
    while (peek() == '#') {
      ++pos_;
      if (peek() == '"') out.push_back(text());
    }
    return out;
  }

  Node node(int depth) {
    std::vector<std::string> comments = this->comments();
    Node n;
    char c = peek();
    if (c == '{' && depth < 12) {
      ++pos_;
      n = Node::map();
      while (peek() == '"' || peek() == '#') {
        std::vector<std::string> key_comments = this->comments();
        if (peek() != '"') break;
        std::string key = text();
        Node child = node(depth + 1);
        child.comments.insert(child.comments.begin(), key_comments.begin(), key_comments.end());
        n.add(std::move(key), std::move(child));
      }
      if (peek() == '}') ++pos_;
    } else if (c == '[' && depth < 12) {
      ++pos_;
      n = Node::list();
      while (peek() != 0 && peek() != ']') n.items.push_back(node(depth + 1));
      if (peek() == ']') ++pos_;
    } else if (c == '"') {
      n = Node::scalar(text());
    } else {
      if (c != 0) ++pos_;  // a stray closing bracket
      n = Node::scalar("");
    }
    n.comments = std::move(comments);
    return n;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// `w` as written, `r` as read back: equal except line numbers, and an empty
// map below the root reads back as the scalar "nil".
bool same(const Node& w, const Node& r, bool top) {
  if (w.comments != r.comments) return false;
  if (!top && w.type == Node::Type::kMap && w.entries.empty()) {
    return r.type == Node::Type::kScalar && r.value == "nil";
  }
  if (w.type != r.type) return false;
  switch (w.type) {
    case Node::Type::kScalar:
      return w.value == r.value;
    case Node::Type::kMap:
      if (w.entries.size() != r.entries.size()) return false;
      for (size_t i = 0; i < w.entries.size(); ++i) {
        if (w.entries[i].key != r.entries[i].key) return false;
        if (!same(w.entries[i].value, r.entries[i].value, false)) return false;
      }
      return true;
    case Node::Type::kList:
      if (w.items.size() != r.items.size()) return false;
      for (size_t i = 0; i < w.items.size(); ++i) {
        if (!same(w.items[i], r.items[i], false)) return false;
      }
      return true;
  }
  return false;
}

void tree_round_trip(std::string_view in) {
  Reader rd(in);
  Node root = rd.node(0);
  auto text = mox::config::write_sconf(root);
  if (!text) return;
  auto back = mox::config::parse_sconf(*text, "fuzz.conf");
  if (!back || !same(root, *back, true)) std::abort();
  auto again = mox::config::write_sconf(*back);
  if (!again || *again != *text) std::abort();
}

// Free-text fields of one domain and one account: the account name, the
// domain name, FullName, Description, then Destinations keys and mailboxes.
void typed_round_trip(std::string_view in) {
  Reader rd(in);
  std::vector<std::string> s;
  while (rd.peek() != 0 && s.size() < 12) {
    if (rd.peek() == '"') {
      s.push_back(rd.text());
    } else {
      rd.node(0);  // skipped
    }
  }
  s.resize(std::max<size_t>(s.size(), 4));
  mox::config::Dynamic dyn;
  dyn.domains[s[1]].description = s[3];
  mox::config::Account& a = dyn.accounts[s[0]];
  a.domain = s[1];
  a.full_name = s[2];
  a.description = s[3];
  for (size_t i = 4; i + 1 < s.size(); i += 2) a.destinations[s[i]].mailbox = s[i + 1];
  auto text = mox::config::write_dynamic(dyn);
  if (!text) return;
  // What the schema itself refuses (an empty Domain) need not read back.
  mox::config::Dynamic checked;
  const auto& schema = mox::config::dynamic_schema();
  if (!schema.decode(schema.encode(dyn), checked, mox::config::DecodeCtx{})) return;
  auto back = mox::config::parse_dynamic(*text, "domains.conf");
  if (!back) std::abort();
  const mox::config::Account* b = back->accounts.count(s[0]) ? &back->accounts.at(s[0]) : nullptr;
  if (!b || b->domain != a.domain || b->full_name != a.full_name ||
      b->description != a.description || b->destinations.size() != a.destinations.size() ||
      !back->domains.count(s[1]) || back->domains.at(s[1]).description != s[3]) {
    std::abort();
  }
  for (const auto& [key, dest] : a.destinations) {
    if (!b->destinations.count(key) || b->destinations.at(key).mailbox != dest.mailbox) {
      std::abort();
    }
  }
  auto again = mox::config::write_dynamic(*back);
  if (!again || *again != *text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in[0] == 'T') {
    typed_round_trip(in.substr(1));
  } else {
    tree_round_trip(in);
  }
  return 0;
}
