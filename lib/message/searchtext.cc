#include "message/searchtext.h"

#include <locale.h>
#include <wctype.h>

#include "message/address.h"
#include "message/decode.h"
#include "message/header.h"
#include "message/mimefield.h"
#include "message/rfc2047.h"
#include "util/utf8.h"

namespace mox::message {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool has_8bit(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

// A header value as text: raw 8-bit octets converted first (they are UTF-8,
// RFC 6532, or an undeclared legacy charset), then encoded-words (all ASCII).
std::string header_text(std::string_view value) {
  return sanitize_utf8(decode_encoded_words(text_to_utf8(value)));
}

bool is_address_field(std::string_view lower_name) {
  return lower_name == "from" || lower_name == "to" || lower_name == "cc" || lower_name == "bcc";
}

// SEARCH FROM/TO/CC/BCC look for a substring of the field (RFC 3501
// §6.4.4), but a client searching for an address expects it found also when
// comments, white space or quoting split it ("<a (x)@ (y) b.example>"), as
// other servers do: the parts of each mailbox that the value does not hold
// as written follow it, after a space.
void add_address_parts(std::string_view raw, std::string& text) {
  auto list = parse_address_list(text_to_utf8(raw));
  if (!list) return;
  for (const Address& a : *list) {
    for (std::string part : {a.name, a.localpart.empty() ? std::string() : a.addr_spec()}) {
      part = sanitize_utf8(part);
      if (!part.empty() && text.find(part) == std::string::npos) text += " " + part;
    }
  }
}

// Parses the header of part `p` (already within the limits it was parsed with).
Header header_of(std::string_view msg, const Part& p) {
  std::string_view raw = msg.substr(p.offset, p.header_size);
  auto h = parse_header(raw, HeaderLimits{raw.size() + 1, raw.size() + 1});
  return h ? std::move(h).value() : Header{};
}

class Extractor {
 public:
  Extractor(std::string_view msg, const SearchLimits& limits, SearchText& out)
      : msg_(msg), limits_(limits), out_(out) {}

  void headers(const Header& h) {
    size_t used = 0;
    for (const HeaderField& f : h.fields) {
      std::string name = lower(f.name);
      std::string v = header_text(f.value);
      if (is_address_field(name)) add_address_parts(f.value, v);
      if (used + v.size() > limits_.max_header_bytes) {
        out_.truncated = true;
        break;
      }
      used += v.size();
      out_.headers.push_back({std::move(name), std::move(v)});
    }
  }

  void walk(const Part& p) {
    if (full()) return;
    if (p.is_multipart()) {
      for (const Part& c : p.parts) walk(c);
    } else if (p.is_encapsulating()) {
      summary(p.parts[0]);
      walk(p.parts[0]);
    } else if (p.content_type.type == "text") {
      text(p);
    }
  }

 private:
  bool full() const { return out_.body.size() >= limits_.max_body_bytes; }

  // Appends UTF-8 `s` and "\n", cut at a character boundary at the limit.
  void append(std::string_view s) {
    size_t room = limits_.max_body_bytes - out_.body.size();
    if (s.size() + 1 > room) {
      size_t n = std::min(s.size(), room);
      while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
      out_.body.append(s.substr(0, n));
      out_.truncated = true;
      return;
    }
    out_.body.append(s);
    out_.body += '\n';
  }

  // The addressing lines of an attached message.
  void summary(const Part& m) {
    static constexpr const char* kFields[] = {"From", "To", "Cc", "Bcc", "Date", "Subject"};
    Header h = header_of(msg_, m);
    for (const char* name : kFields) {
      if (const HeaderField* f = h.first(name))
        append(std::string(name) + ": " + header_text(f->value));
    }
  }

  void text(const Part& p) {
    // Decoding never makes text more than 3 times longer than its source
    // (quoted-printable shrinks, base64 shrinks, one octet is at most three
    // in UTF-8), so a prefix of the raw body is enough for what fits.
    size_t room = limits_.max_body_bytes - out_.body.size();
    size_t take = room > p.body_size / 3 ? p.body_size : room * 3 + 4;
    if (take < p.body_size) out_.truncated = true;
    std::string_view raw = msg_.substr(p.body_offset(), std::min(take, p.body_size));
    auto decoded = decode_transfer(raw, p.encoding);
    std::string bytes = decoded ? std::move(decoded).value() : std::string(raw);
    std::string_view cs = p.charset();
    // Undeclared 8-bit text is common: us-ascii then means "not said".
    if (lower(cs) == "us-ascii" && has_8bit(bytes)) cs = {};
    append(text_to_utf8(bytes, cs));
  }

  std::string_view msg_;
  const SearchLimits& limits_;
  SearchText& out_;
};

}  // namespace

std::string header_lines(const std::vector<SearchField>& fields) {
  std::string out;
  for (const SearchField& f : fields) {
    out += f.name;
    out += ": ";
    for (char c : f.value) out += c == '\r' || c == '\n' ? ' ' : c;
    out += '\n';
  }
  return out;
}

std::vector<SearchField> parse_header_lines(std::string_view lines) {
  std::vector<SearchField> out;
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    out.push_back({std::string(line.substr(0, colon)), std::string(line.substr(colon + 2))});
  }
  return out;
}

std::string fold_case(std::string_view utf8) {
  // One locale object for the process, never changed: not global state that
  // anything else sees (uselocale/setlocale are not touched).
  static const locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      ++i;
      continue;
    }
    uint32_t cp = next_code_point(utf8, i);
    if (loc != static_cast<locale_t>(0)) {
      cp = static_cast<uint32_t>(towlower_l(static_cast<wint_t>(cp), loc));
    }
    append_utf8(out, cp);
  }
  return out;
}

bool contains_folded(std::string_view haystack, std::string_view folded_needle) {
  if (folded_needle.empty()) return true;
  return fold_case(haystack).find(folded_needle) != std::string::npos;
}

size_t code_points(std::string_view utf8) {
  size_t n = 0;
  for (size_t i = 0; i < utf8.size(); ++n) next_code_point(utf8, i);
  return n;
}

SearchText extract_search_text(std::string_view message, const Part& root,
                               const SearchLimits& limits) {
  SearchText out;
  if (root.end() > message.size()) return out;  // not the message root was parsed from
  Extractor x(message, limits, out);
  x.headers(header_of(message, root));
  x.walk(root);
  return out;
}

SearchText extract_search_text(std::string_view message, const Part& root,
                               const Header& root_header, const SearchLimits& limits) {
  SearchText out;
  if (root.end() > message.size()) return out;
  Extractor x(message, limits, out);
  x.headers(root_header);
  x.walk(root);
  return out;
}

}  // namespace mox::message
