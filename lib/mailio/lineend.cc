#include "mailio/lineend.h"

namespace mox::mailio {

void append_crlf(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + text.size() / 32);
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      out.append(text.substr(start));
      return;
    }
    out.append(text.substr(start, nl - start));
    bool has_cr = nl > 0 ? text[nl - 1] == '\r' : (!out.empty() && out.back() == '\r');
    out.append(has_cr ? "\n" : "\r\n");
    start = nl + 1;
  }
}

bool is_header_field_line(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (size_t i = 0; i < colon; i++) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c <= 32 || c >= 127) return false;
  }
  return true;
}

}  // namespace mox::mailio
