#include "config/sconf.h"

#include <cstddef>
#include <set>

#include "util/json.h"
#include "util/utf8.h"

namespace mox::config {

Node Node::scalar(std::string v, int line) {
  Node n;
  n.type = Type::kScalar;
  n.value = std::move(v);
  n.line = line;
  return n;
}

Node Node::map(int line) {
  Node n;
  n.type = Type::kMap;
  n.line = line;
  return n;
}

Node Node::list(int line) {
  Node n;
  n.type = Type::kList;
  n.line = line;
  return n;
}

const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Node& Node::add(std::string key, Node child) {
  entries.push_back(NodeEntry{std::move(key), std::move(child)});
  return entries.back().value;
}

namespace {

struct Line {
  int number = 0;
  int indent = 0;
  std::string_view text;  // without the indentation
};

class Parser {
 public:
  Parser(std::string_view filename) : filename_(filename) {}

  Status split(std::string_view text) {
    int number = 0;
    std::vector<std::string> pending_comments;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view raw = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      ++number;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      size_t tabs = 0;
      while (tabs < raw.size() && raw[tabs] == '\t') ++tabs;
      std::string_view rest = raw.substr(tabs);
      if (rest.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank
      if (rest[0] == '#') {
        comments_.emplace_back(lines_.size(), std::string(rest));
        continue;
      }
      if (rest[0] == ' ') return fail(number, "indentation must use tabs, not spaces");
      if (rest.back() == ' ' || rest.back() == '\t') return fail(number, "trailing whitespace");
      lines_.push_back({number, static_cast<int>(tabs), rest});
    }
    return {};
  }

  Result<Node> parse() {
    Node root = Node::map(1);
    if (lines_.empty()) return root;
    if (lines_[0].indent != 0) return fail(lines_[0].number, "unexpected indentation");
    MOX_TRY(parse_map(0, root));
    if (pos_ < lines_.size()) return fail(lines_[pos_].number, "unexpected indentation");
    return root;
  }

 private:
  Error fail(int line, std::string_view msg) const {
    return syntax_error(std::string(filename_) + ":" + std::to_string(line) + ": " +
                        std::string(msg));
  }

  // Comments attached to line index i are those seen right before it.
  std::vector<std::string> take_comments(size_t index) {
    std::vector<std::string> out;
    while (comment_pos_ < comments_.size() && comments_[comment_pos_].first <= index) {
      out.push_back(comments_[comment_pos_].second);
      ++comment_pos_;
    }
    return out;
  }

  bool more_at(int indent) const { return pos_ < lines_.size() && lines_[pos_].indent == indent; }

  // Parses the children of a "Key:" line: a map or a list at indent+1, or
  // nothing (an empty value).
  Result<Node> parse_block(int indent, int line) {
    if (pos_ >= lines_.size() || lines_[pos_].indent <= indent) return Node::scalar("", line);
    if (lines_[pos_].indent > indent + 1) {
      return fail(lines_[pos_].number, "unexpected indentation (one tab per level)");
    }
    std::string_view t = lines_[pos_].text;
    if (t == "-" || t.substr(0, 2) == "- ") {
      Node list = Node::list(line);
      MOX_TRY(parse_list(indent + 1, list));
      return list;
    }
    Node map = Node::map(line);
    MOX_TRY(parse_map(indent + 1, map));
    return map;
  }

  Status parse_map(int indent, Node& out) {
    while (more_at(indent)) {
      const Line& l = lines_[pos_];
      std::vector<std::string> comments = take_comments(pos_);
      if (l.text == "-" || l.text.substr(0, 2) == "- ") {
        return fail(l.number, "list item where a \"Key: value\" line was expected");
      }
      size_t colon = l.text.find(": ");
      std::string_view key, value;
      bool has_value = true;
      if (colon != std::string_view::npos) {
        key = l.text.substr(0, colon);
        value = l.text.substr(colon + 2);
      } else if (l.text.back() == ':') {
        key = l.text.substr(0, l.text.size() - 1);
        has_value = false;
      } else {
        return fail(l.number, "expected \"Key: value\" or \"Key:\"");
      }
      if (key.empty()) return fail(l.number, "empty key");
      if (out.find(key)) return fail(l.number, "duplicate key \"" + std::string(key) + "\"");
      ++pos_;
      Node child;
      if (has_value) {
        child = Node::scalar(std::string(value), l.number);
        if (pos_ < lines_.size() && lines_[pos_].indent > indent) {
          return fail(lines_[pos_].number, "unexpected indentation after a value");
        }
      } else {
        MOX_ASSIGN(child, parse_block(indent, l.number));
      }
      child.comments = std::move(comments);
      out.add(std::string(key), std::move(child));
    }
    return {};
  }

  Status parse_list(int indent, Node& out) {
    while (more_at(indent)) {
      const Line& l = lines_[pos_];
      std::vector<std::string> comments = take_comments(pos_);
      Node item;
      if (l.text == "-") {
        ++pos_;
        if (pos_ >= lines_.size() || lines_[pos_].indent != indent + 1) {
          return fail(l.number, "\"-\" must be followed by a more indented struct");
        }
        item = Node::map(l.number);
        MOX_TRY(parse_map(indent + 1, item));
      } else if (l.text.substr(0, 2) == "- ") {
        item = Node::scalar(std::string(l.text.substr(2)), l.number);
        ++pos_;
        if (pos_ < lines_.size() && lines_[pos_].indent > indent) {
          return fail(lines_[pos_].number, "unexpected indentation after a list value");
        }
      } else {
        return fail(l.number, "expected a list item (\"- value\")");
      }
      item.comments = std::move(comments);
      out.items.push_back(std::move(item));
    }
    return {};
  }

  std::string_view filename_;
  std::vector<Line> lines_;
  std::vector<std::pair<size_t, std::string>> comments_;  // (index of next line, text)
  size_t pos_ = 0;
  size_t comment_pos_ = 0;
};

// Renders a tree, refusing what parse_sconf would not read back as the same
// tree. Errors name the dotted key path of the offending node.
class Writer {
 public:
  Status root(const Node& n) {
    if (n.type != Node::Type::kMap) return fail("the top level must be a map");
    if (!n.comments.empty()) return fail("comments cannot be attached to the top level");
    return entries(n, 0);
  }
  std::string& text() { return out_; }

 private:
  Error fail(std::string_view msg) const {
    std::string where = path_.empty() ? "" : json_quote(path_) + ": ";
    return user_error("cannot write " + where + std::string(msg));
  }

  // Keys are one "Key: value" or "Key:" line's start: no control characters,
  // no ": " (the separator), nothing that reads as a comment ("#"), a list
  // item ("- ") or indentation, no surrounding spaces.
  Status check_key(std::string_view k) const {
    if (k.empty()) return fail("empty key");
    if (!printable_utf8(k)) return fail("key has a control character or is not UTF-8");
    if (k.front() == ' ' || k.back() == ' ') return fail("key starts or ends with a space");
    if (k.front() == '#') return fail("key starts with \"#\"");
    if (k.substr(0, 2) == "- ") return fail("key starts with \"- \"");
    if (k.find(": ") != std::string_view::npos) return fail("key contains \": \"");
    return {};
  }

  // Values are the rest of their line: no control characters (a line break
  // would start a new line, a trailing CR is taken as part of CRLF) and no
  // leading or trailing space (trailing whitespace is a syntax error).
  Status check_value(std::string_view v) const {
    if (!printable_utf8(v)) return fail("value has a control character or is not UTF-8");
    if (!v.empty() && (v.front() == ' ' || v.back() == ' ')) {
      return fail("value starts or ends with a space");
    }
    return {};
  }

  // A comment is one line starting with "#"; tabs may appear in it.
  Status comments(const Node& n, int indent) {
    for (const auto& c : n.comments) {
      if (c.empty() || c[0] != '#') return fail("comment does not start with \"#\"");
      if (!printable_utf8(strip_tabs(c))) {
        return fail("comment has a control character or is not UTF-8");
      }
      line(indent, c);
    }
    return {};
  }

  static std::string strip_tabs(std::string_view c) {
    std::string out;
    for (char ch : c) {
      if (ch != '\t') out += ch;
    }
    return out;
  }

  void line(int indent, std::string_view text) {
    out_.append(indent, '\t');
    out_ += text;
    out_ += '\n';
  }

  Status entries(const Node& map, int indent) {
    std::set<std::string_view> seen;
    for (const auto& [key, child] : map.entries) {
      size_t mark = path_.size();
      path_ += (path_.empty() ? "" : ".") + key;
      MOX_TRY(check_key(key));
      if (!seen.insert(key).second) return fail("duplicate key");
      MOX_TRY(comments(child, indent));
      MOX_TRY(entry(key, child, indent));
      path_.resize(mark);
    }
    return {};
  }

  Status entry(const std::string& key, const Node& child, int indent) {
    switch (child.type) {
      case Node::Type::kScalar:
        MOX_TRY(check_value(child.value));
        line(indent, child.value.empty() ? key + ":" : key + ": " + child.value);
        return {};
      case Node::Type::kMap:
        // An empty struct is written "nil"; it reads back as that scalar.
        if (child.entries.empty()) {
          line(indent, key + ": nil");
          return {};
        }
        line(indent, key + ":");
        return entries(child, indent + 1);
      case Node::Type::kList:
        // "Key:" with nothing below reads back as an empty scalar.
        if (child.items.empty()) return fail("empty list");
        line(indent, key + ":");
        return items(child, indent + 1);
    }
    return {};
  }

  Status items(const Node& list, int indent) {
    for (const auto& item : list.items) {
      MOX_TRY(comments(item, indent));
      if (item.type == Node::Type::kScalar) {
        // "- " alone has trailing whitespace; "-" introduces a struct.
        if (item.value.empty()) return fail("empty list item");
        MOX_TRY(check_value(item.value));
        line(indent, "- " + item.value);
      } else if (item.type == Node::Type::kMap) {
        if (item.entries.empty()) return fail("empty struct as list item");
        line(indent, "-");
        MOX_TRY(entries(item, indent + 1));
      } else {
        return fail("list directly inside a list");
      }
    }
    return {};
  }

  std::string out_;
  std::string path_;
};

}  // namespace

Result<Node> parse_sconf(std::string_view text, std::string_view filename) {
  Parser p(filename);
  MOX_TRY(p.split(text));
  return p.parse();
}

Result<std::string> write_sconf(const Node& root) {
  Writer w;
  MOX_TRY(w.root(root));
  return std::move(w.text());
}

}  // namespace mox::config
