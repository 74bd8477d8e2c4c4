// libFuzzer target for the MIME model of lib/message: parse_message, then
// ENVELOPE, BODY, BODYSTRUCTURE, every section of every part, BINARY and the
// search text. Checks invariants, not just crashes: parts lie inside their
// parent and in order, find_part finds each part by its IMAP number, the
// IMAP renderings are well-formed (balanced lists of NIL, numbers, quoted
// strings and literals), search text is valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "message/fetch.h"
#include "message/mime.h"
#include "message/searchtext.h"
#include "message/section.h"
#include "util/utf8.h"

namespace {

using namespace mox::message;

void check(bool ok) {
  if (!ok) std::abort();
}

// A strict reader of the IMAP data our renderings produce.
class Syntax {
 public:
  explicit Syntax(std::string_view s) : s_(s) {}
  bool valid() { return item() && pos_ == s_.size(); }

 private:
  bool item() {
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '(') return list();
    if (c == '"') return quoted();
    if (c == '{') return literal();
    if (s_.substr(pos_, 3) == "NIL") {
      pos_ += 3;
      return true;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  bool list() {
    ++pos_;
    if (++depth_ > 1000) return false;
    bool first = true;
    while (pos_ < s_.size() && s_[pos_] != ')') {
      if (!first && s_[pos_] == ' ') ++pos_;  // "((a)(b))" has no spaces
      if (!item()) return false;
      first = false;
    }
    --depth_;
    if (first || pos_ >= s_.size()) return false;  // no empty lists
    ++pos_;
    return true;
  }
  bool quoted() {
    for (++pos_; pos_ < s_.size(); ++pos_) {
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (++pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\\')) return false;
      } else if (c == 0 || c >= 0x80 || c == '\r' || c == '\n') {
        return false;
      }
    }
    return false;
  }
  bool literal() {
    size_t close = s_.find("}\r\n", pos_);
    if (close == std::string_view::npos) return false;
    size_t n =
        std::strtoull(std::string(s_.substr(pos_ + 1, close - pos_ - 1)).c_str(), nullptr, 10);
    pos_ = close + 3;
    if (n > s_.size() - pos_) return false;
    if (s_.substr(pos_, n).find('\0') != std::string_view::npos) return false;
    pos_ += n;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

void check_tree(const Part& p, size_t begin, size_t end) {
  check(p.offset >= begin && p.end() <= end && p.offset <= p.end());
  size_t prev = p.body_offset();
  for (const Part& c : p.parts) {
    check(c.offset >= prev);
    check_tree(c, p.body_offset(), p.end());
    prev = c.end();
  }
}

struct Numbered {
  std::vector<uint32_t> path;
  const Part* part;
};

// IMAP part numbers (RFC 9051 §6.4.5), worked out independently of find_part.
void number(const Part& p, bool is_message, std::vector<uint32_t>& path,
            std::vector<Numbered>& out) {
  if (out.size() > 300) return;
  const Part* m = is_message ? &p : p.is_encapsulating() ? &p.parts[0] : nullptr;
  const Part& container = m ? *m : p;
  if (container.is_multipart()) {
    for (size_t i = 0; i < container.parts.size(); ++i) {
      path.push_back(static_cast<uint32_t>(i + 1));
      out.push_back({path, &container.parts[i]});
      number(container.parts[i], false, path, out);
      path.pop_back();
    }
  } else if (m) {
    path.push_back(1);
    out.push_back({path, m});
    number(*m, false, path, out);
    path.pop_back();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  MimeLimits limits;
  limits.max_depth = 20;
  limits.max_parts = 500;
  limits.header.max_size = 64 * 1024;
  Part root = parse_message(msg, limits);
  check(root.offset == 0 && root.end() == msg.size());
  check_tree(root, 0, msg.size());

  check(Syntax(envelope(root)).valid());
  check(Syntax(bodystructure(root, false)).valid());
  check(Syntax(bodystructure(root, true)).valid());

  for (const char* spec :
       {"", "HEADER", "TEXT", "HEADER.FIELDS (From Subject)", "HEADER.FIELDS.NOT (Content-Type)"}) {
    check(section(msg, root, spec).ok());
  }
  (void)binary(msg, root, {});

  std::vector<Numbered> parts;
  std::vector<uint32_t> path;
  number(root, true, path, parts);
  for (const Numbered& n : parts) {
    check(find_part(root, n.path) == n.part);
    SectionSpec spec;
    spec.part = n.path;
    spec.fields = {"Content-Type", "subject"};
    for (auto t : {SectionSpec::Text::kAll, SectionSpec::Text::kMime, SectionSpec::Text::kHeader,
                   SectionSpec::Text::kText, SectionSpec::Text::kHeaderFields,
                   SectionSpec::Text::kHeaderFieldsNot}) {
      spec.text = t;
      std::string s = section(msg, root, spec);
      check(s.size() <= msg.size() + 2 || t == SectionSpec::Text::kHeaderFields ||
            t == SectionSpec::Text::kHeaderFieldsNot);
    }
    auto b = binary(msg, root, n.path);
    auto bs = binary_size(msg, root, n.path);
    check(b.ok() == bs.ok());
    if (b.ok()) check(b->size() == *bs && b->size() <= n.part->body_size);
  }

  SearchLimits sl;
  sl.max_body_bytes = 16 * 1024;
  SearchText text = extract_search_text(msg, root, sl);
  check(mox::valid_utf8(text.body) && text.body.size() <= sl.max_body_bytes);
  for (const SearchField& f : text.headers) check(mox::valid_utf8(f.value));
  return 0;
}
