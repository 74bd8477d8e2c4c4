#include "config/sconf.h"

#include <cstddef>

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

void write_node(const Node& n, int indent, std::string& out);

void write_comments(const Node& n, int indent, std::string& out) {
  for (const auto& c : n.comments) {
    out.append(indent, '\t');
    out += c;
    out += '\n';
  }
}

void write_entries(const Node& map, int indent, std::string& out) {
  for (const auto& [key, child] : map.entries) {
    write_comments(child, indent, out);
    out.append(indent, '\t');
    out += key;
    if (child.type == Node::Type::kScalar) {
      out += child.value.empty() ? ":" : ": " + child.value;
      out += '\n';
    } else if (child.type == Node::Type::kMap && child.entries.empty()) {
      out += ": nil\n";
    } else {
      out += ":\n";
      write_node(child, indent + 1, out);
    }
  }
}

void write_node(const Node& n, int indent, std::string& out) {
  if (n.type == Node::Type::kMap) {
    write_entries(n, indent, out);
    return;
  }
  for (const auto& item : n.items) {
    write_comments(item, indent, out);
    out.append(indent, '\t');
    if (item.type == Node::Type::kScalar) {
      out += "- " + item.value + "\n";
    } else {
      out += "-\n";
      write_node(item, indent + 1, out);
    }
  }
}

}  // namespace

Result<Node> parse_sconf(std::string_view text, std::string_view filename) {
  Parser p(filename);
  MOX_TRY(p.split(text));
  return p.parse();
}

std::string write_sconf(const Node& root) {
  std::string out;
  write_node(root, 0, out);
  return out;
}

}  // namespace mox::config
