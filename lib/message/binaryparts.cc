#include "message/binaryparts.h"

#include <strings.h>

#include <algorithm>
#include <vector>

#include "message/mime.h"
#include "util/encoding.h"

namespace mox::message {
namespace {

void collect(const Part& p, std::string_view msg, std::vector<const Part*>& out) {
  if (!p.parts.empty()) {
    for (const Part& c : p.parts) collect(c, msg, out);
    return;
  }
  if (p.is_multipart() || p.end() > msg.size()) return;
  if (msg.substr(p.body_offset(), p.body_size).find('\0') != std::string_view::npos) {
    out.push_back(&p);
  }
}

// The header `h` (ending with its empty line) with Content-Transfer-Encoding
// replaced by base64.
std::string base64_header(std::string_view h) {
  std::string out;
  bool dropping = false;
  size_t pos = 0;
  while (pos < h.size()) {
    size_t nl = h.find('\n', pos);
    size_t end = nl == std::string_view::npos ? h.size() : nl + 1;
    std::string_view line = h.substr(pos, end - pos);
    pos = end;
    bool blank = line == "\r\n" || line == "\n";
    if (blank) break;
    bool continuation = line[0] == ' ' || line[0] == '\t';
    if (!continuation) {
      static constexpr std::string_view kCte = "content-transfer-encoding:";
      dropping =
          line.size() >= kCte.size() && strncasecmp(line.data(), kCte.data(), kCte.size()) == 0;
    }
    if (!dropping) out += line;
  }
  return out + "Content-Transfer-Encoding: base64\r\n\r\n";
}

std::string base64_lines(std::string_view body) {
  std::string b = base64_encode(body), out;
  for (size_t i = 0; i < b.size(); i += 76) out += (i ? "\r\n" : "") + b.substr(i, 76);
  return out;
}

}  // namespace

std::string base64_binary_parts(std::string_view msg) {
  if (msg.find('\0') == std::string_view::npos) return std::string(msg);
  Part root = parse_message(msg);
  std::vector<const Part*> parts;
  collect(root, msg, parts);
  std::sort(parts.begin(), parts.end(),
            [](const Part* a, const Part* b) { return a->offset < b->offset; });
  std::string out;
  size_t pos = 0;
  for (const Part* p : parts) {
    out += msg.substr(pos, p->offset - pos);
    out += base64_header(msg.substr(p->offset, p->header_size));
    out += base64_lines(msg.substr(p->body_offset(), p->body_size));
    // The body of the whole message runs to its end: close its last line.
    if (p->end() == msg.size()) out += "\r\n";
    pos = p->end();
  }
  return out + std::string(msg.substr(pos));
}

}  // namespace mox::message
