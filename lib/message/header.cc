#include "message/header.h"

#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace mox::message {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

struct Line {
  std::string_view text;  // without its line end
  size_t next = 0;        // offset of the next line
  bool terminated = false;
};

// The line at `pos`: ends at LF, with a CR before it removed (bare LF is
// accepted, RFC 5322 §2.3 notwithstanding, as real messages have it).
Line line_at(std::string_view s, size_t pos) {
  size_t lf = s.find('\n', pos);
  if (lf == std::string_view::npos) return {s.substr(pos), s.size(), false};
  size_t end = lf > pos && s[lf - 1] == '\r' ? lf - 1 : lf;
  return {s.substr(pos, end - pos), lf + 1, true};
}

// RFC 5322 §2.2.3: unfolding removes each CRLF that is followed by WSP.
std::string unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    if (raw[i] == '\n') continue;
    out += raw[i];
  }
  size_t b = 0, e = out.size();
  while (b < e && is_wsp(out[b])) ++b;
  while (e > b && is_wsp(out[e - 1])) --e;
  return out.substr(b, e - b);
}

Error too_large(const std::string& what) { return {ErrorKind::kPermanent, what}; }

// Finishes the field that started at `start` and whose last line ended
// before `end` (which includes that line's terminator).
void close_field(std::string_view s, size_t start, size_t colon, size_t end, size_t end_text,
                 Header& h) {
  HeaderField f;
  std::string_view name = s.substr(start, colon - start);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  f.name = std::string(name);
  f.raw_value = std::string(s.substr(colon + 1, end_text - colon - 1));
  f.value = unfold(f.raw_value);
  f.offset = start;
  f.length = end - start;
  h.fields.push_back(std::move(f));
}

}  // namespace

bool valid_field_name(std::string_view n) {
  if (n.empty()) return false;
  for (char ch : n) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 33 || c > 126 || c == ':') return false;
  }
  return true;
}

bool HeaderField::is(std::string_view n) const {
  return n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0;
}

const HeaderField* Header::first(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.is(name)) return &f;
  }
  return nullptr;
}

std::vector<const HeaderField*> Header::all(std::string_view name) const {
  std::vector<const HeaderField*> out;
  for (const auto& f : fields) {
    if (f.is(name)) out.push_back(&f);
  }
  return out;
}

size_t Header::count(std::string_view name) const { return all(name).size(); }

Result<Header> parse_header(std::string_view s, const HeaderLimits& limits) {
  Header h;
  // The field being collected: where it starts, its colon, and where its
  // last line's text ends and the line after it begins.
  std::optional<size_t> start;
  size_t colon = 0, end_text = 0, end = 0;
  bool skipping = false;  // continuation lines of a skipped line are skipped too
  size_t pos = 0;
  while (true) {
    if (pos >= s.size()) break;  // no empty line: the message is all header
    Line line = line_at(s, pos);
    if (line.next > limits.max_size) {
      return too_large("header section larger than " + std::to_string(limits.max_size) + " bytes");
    }
    if (line.text.empty() && line.terminated) {
      h.has_separator = true;
      pos = line.next;
      break;
    }
    if (is_wsp(line.text.front())) {
      if (start) {
        end_text = pos + line.text.size();
        end = line.next;
      } else if (!skipping) {
        h.defects.push_back({pos, "continuation line without a field"});
        skipping = true;
      }
      pos = line.next;
      continue;
    }
    if (start) close_field(s, *start, colon, end, end_text, h);
    start.reset();
    size_t c = line.text.find(':');
    std::string_view name = line.text.substr(0, c);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    if (c == std::string_view::npos || !valid_field_name(name)) {
      h.defects.push_back(
          {pos, c == std::string_view::npos ? "line without colon" : "invalid field name"});
      skipping = true;
    } else {
      if (h.fields.size() >= limits.max_fields) {
        return too_large("more than " + std::to_string(limits.max_fields) + " header fields");
      }
      start = pos;
      colon = pos + c;
      end_text = pos + line.text.size();
      end = line.next;
      skipping = false;
    }
    pos = line.next;
  }
  if (start) close_field(s, *start, colon, end, end_text, h);
  h.size = pos;
  return h;
}

namespace {

// Offset just past the empty line that ends the header section in `s`, if
// `s` already holds it; `scanned` carries the progress between calls.
std::optional<size_t> find_header_end(std::string_view s, size_t& scanned) {
  while (true) {
    Line line = line_at(s, scanned);
    if (!line.terminated) return std::nullopt;  // wait for more input
    if (line.text.empty()) return line.next;
    scanned = line.next;
  }
}

}  // namespace

Result<Header> read_header(int fd, int64_t offset, const HeaderLimits& limits) {
  constexpr size_t kChunk = 16 * 1024;
  std::string buf;
  size_t scanned = 0;
  while (true) {
    if (auto end = find_header_end(buf, scanned)) {
      buf.resize(*end);
      break;
    }
    if (buf.size() > limits.max_size) {
      return too_large("header section larger than " + std::to_string(limits.max_size) + " bytes");
    }
    size_t old = buf.size();
    buf.resize(old + kChunk);
    ssize_t n = ::pread(fd, buf.data() + old, kChunk, offset + static_cast<int64_t>(old));
    if (n < 0) {
      buf.resize(old);
      if (errno == EINTR) continue;
      return internal_error(std::string("reading message header: ") + std::strerror(errno));
    }
    buf.resize(old + static_cast<size_t>(n));
    if (n == 0) break;  // end of file inside the header
  }
  return parse_header(buf, limits);
}

}  // namespace mox::message
