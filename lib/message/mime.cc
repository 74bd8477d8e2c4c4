#include "message/mime.h"

#include <algorithm>

namespace mox::message {
namespace {

// RFC 2046 §5.1.1 allows 1 to 70 characters; longer ones are seen and taken,
// up to this.
constexpr size_t kMaxBoundary = 200;

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r'; }

size_t count_lines(std::string_view body) {
  size_t n = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
  if (!body.empty() && body.back() != '\n') ++n;
  return n;
}

// The size of the header at the start of `s` without looking at fields: up
// to and including the first empty line, or all of `s`.
size_t header_size_of(std::string_view s) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t lf = s.find('\n', pos);
    if (lf == std::string_view::npos) return s.size();
    if (lf == pos || (lf == pos + 1 && s[pos] == '\r')) return lf + 1;
    pos = lf + 1;
  }
  return s.size();
}

ContentType default_type(bool in_digest) {
  if (in_digest) return {"message", "rfc822", {}};
  return {"text", "plain", {}};
}

// RFC 2046 §5.1.1: a boundary delimiter line is "--" boundary, "--" after it
// for the close delimiter, then only white space to the end of the line.
enum class Delimiter { kNone, kPart, kClose };

Delimiter delimiter_kind(std::string_view line, std::string_view boundary) {
  if (line.size() < boundary.size() + 2 || line[0] != '-' || line[1] != '-' ||
      line.substr(2, boundary.size()) != boundary) {
    return Delimiter::kNone;
  }
  std::string_view rest = line.substr(boundary.size() + 2);
  bool close = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
  if (close) rest.remove_prefix(2);
  if (!std::all_of(rest.begin(), rest.end(), is_wsp)) return Delimiter::kNone;
  return close ? Delimiter::kClose : Delimiter::kPart;
}

class Parser {
 public:
  Parser(std::string_view msg, const MimeLimits& limits, Result<Header>* root_header)
      : msg_(msg), limits_(limits), root_header_(root_header) {}

  Part parse(size_t start, size_t end, size_t depth, bool is_message, bool in_digest) {
    Part p;
    read_header(p, start, end, is_message, in_digest);
    std::string_view body = msg_.substr(p.body_offset(), p.body_size);
    p.body_lines = count_lines(body);
    if (p.is_multipart()) {
      split_multipart(p, depth);
    } else if (p.content_type.type == "message" &&
               (p.content_type.subtype == "rfc822" || p.content_type.subtype == "global")) {
      encapsulated(p, depth);
    }
    return p;
  }

 private:
  void read_header(Part& p, size_t start, size_t end, bool is_message, bool in_digest) {
    std::string_view s = msg_.substr(start, end - start);
    p.offset = start;
    Header h;
    auto r = parse_header(s, limits_.header);
    if (r) {
      h = std::move(r).value();
      p.header_size = h.size;
    } else {
      p.defects.push_back("header: " + r.error().message);
      p.header_size = header_size_of(s);
    }
    p.body_size = s.size() - p.header_size;
    if (is_message) p.envelope = envelope_from_header(h);
    apply_fields(p, h, in_digest);
    // The top-level header goes to the caller (message/parsed.h), once.
    if (root_header_) {
      if (r) {
        *root_header_ = std::move(h);
      } else {
        *root_header_ = std::move(r).error();
      }
      root_header_ = nullptr;
    }
  }

  void apply_fields(Part& p, const Header& h, bool in_digest) {
    p.content_type = default_type(in_digest);
    if (const HeaderField* f = h.first("Content-Type")) {
      if (auto ct = parse_content_type(f->value)) {
        p.content_type = std::move(ct).value();
      } else {
        p.defects.push_back(ct.error().message);
        p.content_type = default_type(false);  // RFC 2045 §5.2
      }
    }
    if (p.is_multipart()) {
      const MimeParam* b = find_param(p.content_type.params, "boundary");
      if (!b || b->value.empty() || b->value.size() > kMaxBoundary ||
          b->value.find_first_of("\r\n") != std::string::npos) {
        p.defects.push_back("multipart without a usable boundary: taken as text/plain");
        p.content_type = default_type(false);
      }
    }
    if (p.content_type.type == "text" && !find_param(p.content_type.params, "charset")) {
      p.content_type.params.insert(p.content_type.params.begin(),
                                   MimeParam{"charset", "us-ascii", false, {}, {}});
    }
    if (const HeaderField* f = h.first("Content-Transfer-Encoding")) {
      std::string e = parse_transfer_encoding(f->value);
      if (!e.empty()) p.encoding = std::move(e);
    }
    auto text = [&](const char* name) -> std::optional<std::string> {
      if (const HeaderField* f = h.first(name)) return f->value;
      return std::nullopt;
    };
    p.content_id = text("Content-ID");
    p.description = text("Content-Description");
    p.md5 = text("Content-MD5");
    p.location = text("Content-Location");
    if (const HeaderField* f = h.first("Content-Disposition")) {
      if (auto d = parse_content_disposition(f->value)) p.disposition = std::move(d).value();
    }
    if (const HeaderField* f = h.first("Content-Language")) {
      p.languages = parse_content_language(f->value);
    }
  }

  bool room_for_child(Part& p, size_t depth) {
    if (depth + 1 > limits_.max_depth) {
      p.defects.push_back("nesting deeper than " + std::to_string(limits_.max_depth));
      return false;
    }
    if (count_ >= limits_.max_parts) {
      p.defects.push_back("more than " + std::to_string(limits_.max_parts) + " parts");
      return false;
    }
    return true;
  }

  // RFC 2046 §5.1.1: the body of a multipart is a preamble, body parts
  // separated by delimiter lines, a close delimiter and an epilogue. The
  // line end before a delimiter belongs to it. A missing close delimiter is
  // tolerated: the last part runs to the end of the multipart's body.
  void split_multipart(Part& p, size_t depth) {
    if (!room_for_child(p, depth)) return;
    std::string_view boundary = find_param(p.content_type.params, "boundary")->value;
    bool digest = p.content_type.subtype == "digest";
    size_t body_end = p.end();
    std::vector<std::pair<size_t, size_t>> ranges;
    std::optional<size_t> part_start;
    bool closed = false;
    for (size_t pos = p.body_offset(); pos < body_end;) {
      size_t lf = msg_.substr(0, body_end).find('\n', pos);
      size_t line_end = lf == std::string_view::npos ? body_end : lf;
      size_t next = lf == std::string_view::npos ? body_end : lf + 1;
      Delimiter d = delimiter_kind(msg_.substr(pos, line_end - pos), boundary);
      if (d != Delimiter::kNone) {
        if (part_start) ranges.emplace_back(*part_start, part_end(*part_start, pos));
        if (d == Delimiter::kClose) {
          closed = true;
          break;
        }
        part_start = next;
      }
      pos = next;
    }
    if (part_start && !closed) {
      ranges.emplace_back(*part_start, body_end);
      p.defects.push_back("missing close delimiter");
    }
    for (auto [start, end] : ranges) {
      if (!room_for_child(p, depth)) break;
      ++count_;
      p.parts.push_back(parse(start, end, depth + 1, false, digest));
    }
  }

  // Where the part that started at `start` ends, given the delimiter line at
  // `delim` (a line start after `start`, or `start` itself).
  size_t part_end(size_t start, size_t delim) const {
    if (delim == start) return start;
    size_t e = delim - 1;  // the LF before the delimiter
    if (e > start && msg_[e - 1] == '\r') --e;
    return e;
  }

  // RFC 2046 §5.2.1: the body of a message/rfc822 part is a message. Only
  // 7bit, 8bit and binary are allowed; message/global may be encoded (RFC
  // 6532 §3.5) and is then a leaf, as is any part that breaks the rule.
  void encapsulated(Part& p, size_t depth) {
    if (p.encoding != "7bit" && p.encoding != "8bit" && p.encoding != "binary") return;
    if (!room_for_child(p, depth)) return;
    ++count_;
    p.parts.push_back(parse(p.body_offset(), p.end(), depth + 1, true, false));
  }

  std::string_view msg_;
  const MimeLimits& limits_;
  Result<Header>* root_header_;  // set by the first (top-level) read_header
  size_t count_ = 1;             // the top-level message
};

}  // namespace

std::string_view Part::charset() const {
  const MimeParam* p = find_param(content_type.params, "charset");
  return p ? std::string_view(p->value) : std::string_view();
}

Part parse_message(std::string_view message, const MimeLimits& limits,
                   Result<Header>* root_header) {
  return Parser(message, limits, root_header).parse(0, message.size(), 0, true, false);
}

}  // namespace mox::message
