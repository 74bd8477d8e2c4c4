// libFuzzer target for lib/message/parsed.h: whenever prepend() derives the
// structure of a stored message (fields added in front, the
// Authentication-Results fields left out as authres::scrub does), it must
// be what parse() of the stored bytes gives: the same header fields at the
// same offsets, the same part tree, ENVELOPE and BODYSTRUCTURE.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "message/fetch.h"
#include "message/parsed.h"

namespace {

using namespace mox::message;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_same_tree(const Part& a, const Part& b) {
  check(a.offset == b.offset && a.header_size == b.header_size && a.body_size == b.body_size &&
        a.body_lines == b.body_lines && a.parts.size() == b.parts.size());
  for (size_t i = 0; i < a.parts.size(); ++i) check_same_tree(a.parts[i], b.parts[i]);
}

void check_same(const Parsed& got, std::string_view stored) {
  Parsed want = parse(stored);
  check(got.size == stored.size() && want.header.ok());
  const Header& g = *got.header;
  const Header& w = *want.header;
  check(g.size == w.size && g.has_separator == w.has_separator);
  check(g.fields.size() == w.fields.size() && g.defects.size() == w.defects.size());
  for (size_t i = 0; i < g.fields.size(); ++i) {
    check(g.fields[i].name == w.fields[i].name && g.fields[i].value == w.fields[i].value &&
          g.fields[i].offset == w.fields[i].offset && g.fields[i].length == w.fields[i].length);
  }
  check_same_tree(got.root, want.root);
  check(envelope(got.root) == envelope(want.root));
  check(bodystructure(got.root, true) == bodystructure(want.root, true));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  const std::string added = "Received: from x\r\n\tby mx.example; 7 Dec 2026\r\nDate: now\r\n";
  Parsed received = parse(msg);
  const Header* h = received.fields();
  if (!h) return 0;
  std::vector<size_t> dropped;
  std::string kept(msg.substr(0, h->size));
  for (size_t i = h->fields.size(); i-- > 0;) {
    if (!h->fields[i].is("Authentication-Results")) continue;
    dropped.insert(dropped.begin(), i);
    kept.erase(h->fields[i].offset, h->fields[i].length);
  }
  std::string body(msg.substr(h->size));
  if (auto p = prepend(received, added)) check_same(*p, added + std::string(msg));
  if (auto p = prepend(received, added, dropped)) check_same(*p, added + kept + body);
  return 0;
}
