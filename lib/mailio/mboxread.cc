#include "mailio/mboxread.h"

#include <charconv>

#include "mailio/fromline.h"
#include "mailio/lineend.h"
#include "mailio/mboxflags.h"
#include "util/ascii.h"

namespace mox::mailio {
namespace {

std::string_view chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_empty_line(std::string_view line) { return line == "\n" || line == "\r\n"; }

// ">From ", ">>From ", ...: the mboxrd quoting of a body line.
bool is_quoted_from(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] == '>') i++;
  return i > 0 && line.substr(i, 5) == "From ";
}

std::optional<int64_t> content_length(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  int64_t n = -1;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size() || n < 0) return std::nullopt;
  return n;
}

}  // namespace

struct MboxReader::Header {
  struct Field {
    std::string name;  // "" for a line that is no field
    std::string raw;   // its lines, as read
  };
  std::vector<Field> fields;
  bool blank = false;  // ended by an empty line
  std::optional<int64_t> content_length;
  size_t content_length_field = 0;
};

Error MboxReader::error_at(int64_t line, int64_t offset, const std::string& what) const {
  return syntax_error(name() + ": line " + std::to_string(line) + " (offset " +
                      std::to_string(offset) + "): " + what);
}

bool MboxReader::starts_message(std::string_view line, bool prev_empty) {
  if (line.substr(0, 5) != "From ") return false;
  return prev_empty || from_line_time(line) != 0;
}

Result<MboxReader::Header> MboxReader::read_header(MboxMessage& m) {
  Header h;
  size_t size = 0;
  while (true) {
    MOX_ASSIGN(std::string_view line, in_.peek_line(max_));
    if (line.empty() || starts_message(line, false)) break;
    if (is_empty_line(line)) {
      in_.consume(line.size());
      h.blank = true;
      break;
    }
    std::string_view text = chomp(line);
    bool cont = (line[0] == ' ' || line[0] == '\t') && !h.fields.empty();
    if (!cont && h.fields.empty() && !is_header_field_line(text))
      return error_at(in_.line(), in_.offset(), "not a mail message (no header field)");
    size += line.size();
    if (size > max_) return error_at(m.line, m.offset, "message header too large");
    if (cont) {
      h.fields.back().raw.append(line);
    } else {
      std::string name;
      if (is_header_field_line(text)) name = std::string(text.substr(0, text.find(':')));
      h.fields.push_back({std::move(name), std::string(line)});
    }
    in_.consume(line.size());
  }
  if (h.fields.empty())
    return error_at(in_.line(), in_.offset(), "not a mail message (no header field)");
  for (size_t i = 0; i < h.fields.size(); i++) {
    const auto& f = h.fields[i];
    if (f.name.empty()) continue;
    std::string value;
    append_crlf(value, std::string_view(f.raw).substr(f.name.size() + 1));
    // Unfolded (RFC 5322 §2.2.3): line ends removed.
    std::string unfolded;
    for (char c : value)
      if (c != '\r' && c != '\n') unfolded += c;
    add_field_flags(f.name, unfolded, m.flags);
    if (ascii_iequal(f.name, "Content-Length") && !h.content_length) {
      h.content_length = content_length(unfolded);
      h.content_length_field = i;
    }
  }
  return h;
}

Result<std::optional<std::string>> MboxReader::framed_body(const MboxMessage& m, int64_t length) {
  if (static_cast<uint64_t>(length) > max_) return std::optional<std::string>();
  size_t n = static_cast<size_t>(length);
  int64_t line = in_.line(), offset = in_.offset();
  MOX_ASSIGN(std::string_view got, in_.peek(n + 7));
  if (got.size() < n)
    return error_at(m.line, m.offset,
                    "Content-Length " + std::to_string(length) + " at line " +
                        std::to_string(line) + " (offset " + std::to_string(offset) +
                        ") goes past the end of the input: truncated");
  std::string_view rest = got.substr(n);
  size_t sep = 0;
  if (rest.substr(0, 1) == "\n") sep = 1;
  if (rest.substr(0, 2) == "\r\n") sep = 2;
  bool fits = rest.substr(sep, 5) == "From " || rest.size() == sep;
  if (!fits) return std::optional<std::string>();
  std::string body;
  append_crlf(body, got.substr(0, n));
  in_.consume(n + sep);
  return std::optional<std::string>(std::move(body));
}

Result<std::string> MboxReader::body_to_separator(const MboxMessage& m) {
  std::string body;
  bool held_empty = false;  // an empty line, written unless a separator follows
  // The empty line that ended the header is not taken as a separator: a
  // first body line "From ..." starts a message only if it has a date.
  bool prev_empty = false;
  while (true) {
    MOX_ASSIGN(std::string_view line, in_.peek_line(max_));
    if (line.empty() || starts_message(line, prev_empty)) break;
    if (held_empty) body += "\r\n";
    held_empty = is_empty_line(line);
    prev_empty = held_empty;
    if (!held_empty) {
      append_crlf(body, is_quoted_from(line) ? line.substr(1) : line);
      if (body.size() > max_)
        return error_at(m.line, m.offset, "message over " + std::to_string(max_) + " bytes");
    }
    in_.consume(line.size());
  }
  return body;
}

Result<std::optional<MboxMessage>> MboxReader::next() {
  MOX_ASSIGN(std::string_view line, in_.peek_line(max_));
  if (line.empty()) return std::optional<MboxMessage>();
  if (!started_ && line.substr(0, 5) != "From ")
    return error_at(1, 0, "not an mbox file (does not start with \"From \")");
  started_ = true;
  MboxMessage m;
  m.offset = in_.offset();
  m.line = in_.line();
  m.received = from_line_time(line);
  in_.consume(line.size());
  MOX_ASSIGN(Header h, read_header(m));
  std::optional<std::string> body;
  if (h.content_length && !h.blank) h.content_length.reset();
  if (h.content_length) {
    MOX_ASSIGN(body, framed_body(m, *h.content_length));
    if (!body) h.content_length.reset();
  }
  if (!body && h.blank) {
    MOX_ASSIGN(body, body_to_separator(m));
  }
  for (size_t i = 0; i < h.fields.size(); i++) {
    const auto& f = h.fields[i];
    if (is_mbox_flag_field(f.name) || (h.content_length && i == h.content_length_field)) continue;
    append_crlf(m.data, f.raw);
  }
  if (!m.data.empty() && m.data.back() != '\n') m.data += "\r\n";
  if (h.blank) m.data += "\r\n";
  if (body) m.data += *body;
  return std::optional<MboxMessage>(std::move(m));
}

}  // namespace mox::mailio
