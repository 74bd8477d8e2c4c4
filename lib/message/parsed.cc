#include "message/parsed.h"

#include <strings.h>

#include <cstddef>
#include <utility>

namespace mox::message {
namespace {

bool is_content_field(const HeaderField& f) {
  return f.name.size() >= 8 && strncasecmp(f.name.data(), "Content-", 8) == 0;
}

// Moves the part and those below it by `delta` octets.
void shift(Part& p, std::ptrdiff_t delta) {
  p.offset = static_cast<size_t>(static_cast<std::ptrdiff_t>(p.offset) + delta);
  for (Part& c : p.parts) shift(c, delta);
}

// `added` parsed: complete fields only, without an empty line.
std::optional<Header> added_fields(std::string_view added) {
  if (added.empty()) return Header{};
  if (added.back() != '\n') return std::nullopt;
  auto h = parse_header(added);
  if (!h || !h->defects.empty() || h->has_separator || h->size != added.size()) return std::nullopt;
  return std::move(h).value();
}

// Strictly ascending indexes of fields that exist.
bool valid_drops(const Header& h, const std::vector<size_t>& dropped) {
  for (size_t i = 0; i < dropped.size(); ++i) {
    if (dropped[i] >= h.fields.size() || (i > 0 && dropped[i] <= dropped[i - 1])) return false;
  }
  return true;
}

}  // namespace

Parsed parse(std::string_view message) {
  Parsed p;
  p.root = parse_message(message, {}, &p.header);
  p.size = message.size();
  return p;
}

std::optional<Header> prepend_header(const Header& received, std::string_view added,
                                     const std::vector<size_t>& dropped) {
  if (!valid_drops(received, dropped)) return std::nullopt;
  std::optional<Header> out = added_fields(added);
  if (!out) return std::nullopt;
  // A first line that is not a field (a continuation line, above all) would
  // be read differently after the added fields.
  if (!added.empty() && !received.defects.empty() && received.defects[0].offset == 0) {
    return std::nullopt;
  }
  size_t removed = 0;  // octets of dropped fields before the current one
  size_t d = 0;
  for (size_t i = 0; i < received.fields.size(); ++i) {
    const HeaderField& f = received.fields[i];
    if (d < dropped.size() && dropped[d] == i) {
      removed += f.length;
      ++d;
      continue;
    }
    HeaderField moved = f;
    moved.offset = added.size() + f.offset - removed;
    out->fields.push_back(std::move(moved));
  }
  for (const HeaderDefect& def : received.defects) {
    size_t before = 0;  // dropped octets before the defect's line
    for (size_t i : dropped) {
      if (received.fields[i].offset < def.offset) before += received.fields[i].length;
    }
    out->defects.push_back({added.size() + def.offset - before, def.what});
  }
  out->size = added.size() + received.size - removed;
  out->has_separator = received.has_separator;
  HeaderLimits limits;
  if (out->size > limits.max_size || out->fields.size() > limits.max_fields) return std::nullopt;
  return out;
}

std::optional<Parsed> prepend(const Parsed& received, std::string_view added,
                              const std::vector<size_t>& dropped) {
  const Header* h = received.fields();
  if (!h) return std::nullopt;
  std::optional<Header> joined = prepend_header(*h, added, dropped);
  if (!joined) return std::nullopt;
  for (size_t i : dropped) {
    if (is_content_field(h->fields[i])) return std::nullopt;
  }
  size_t n_added = joined->fields.size() + dropped.size() - h->fields.size();
  for (size_t i = 0; i < n_added; ++i) {
    if (is_content_field(joined->fields[i])) return std::nullopt;
  }
  std::ptrdiff_t delta =
      static_cast<std::ptrdiff_t>(joined->size) - static_cast<std::ptrdiff_t>(h->size);
  Parsed out;
  out.root = received.root;
  for (Part& c : out.root.parts) shift(c, delta);
  out.root.header_size = joined->size;
  out.root.envelope = envelope_from_header(*joined);
  out.size = static_cast<size_t>(static_cast<std::ptrdiff_t>(received.size) + delta);
  out.header = std::move(*joined);
  return out;
}

}  // namespace mox::message
