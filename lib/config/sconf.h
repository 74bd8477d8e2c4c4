// sconf: the indented "Key: value" text format of mox.conf and domains.conf.
//
// One tab per nesting level; "Key: value" for scalars; "Key:" followed by more
// indented lines for a struct, a map or a list; "- value" list items, or a lone
// "-" followed by a more indented struct; "#" comment lines; empty lines.
// This module knows nothing of mox's fields: it parses text into a Node tree
// (keeping line numbers for error messages) and renders a tree back to text.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace mox::config {

struct NodeEntry;

struct Node {
  enum class Type { kScalar, kMap, kList };
  Type type = Type::kScalar;
  int line = 0;                       // 1-based source line; 0 if built in code
  std::string value;                  // kScalar
  std::vector<NodeEntry> entries;     // kMap, in file order
  std::vector<Node> items;            // kList
  std::vector<std::string> comments;  // comment lines written before this node

  static Node scalar(std::string v, int line = 0);
  static Node map(int line = 0);
  static Node list(int line = 0);
  // Returns the entry with this key, or nullptr.
  const Node* find(std::string_view key) const;
  Node& add(std::string key, Node child);  // kMap: appends an entry
};

struct NodeEntry {
  std::string key;
  Node value;
};

// Parses a whole file. Errors read "FILE:LINE: message".
Result<Node> parse_sconf(std::string_view text, std::string_view filename);

// Renders a tree (whose root is a kMap). Struct entries with no children are
// written as "Key: nil" inside maps; empty lists and maps are omitted by the
// typed writer before they reach here.
//
// Only what parse_sconf reads back as the same tree is written (an empty map
// comes back as the scalar "nil"); anything else is refused with a user error
// naming the key path, never written raw:
//  - keys: not empty, UTF-8 without control characters (see printable_utf8),
//    no leading or trailing space, not starting with "#" or "- ", no ": ";
//    no key twice in one map;
//  - values: UTF-8 without control characters, no leading or trailing space;
//    list items not empty;
//  - lists not empty, no list directly in a list, no empty struct in a list;
//  - comments start with "#", UTF-8 without control characters but tabs;
//    none on the root.
Result<std::string> write_sconf(const Node& root);

}  // namespace mox::config
