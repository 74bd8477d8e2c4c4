#include "smtp/reply.h"

namespace mox::smtp {

std::string Reply::wire() const {
  std::string prefix = std::to_string(code);
  std::string out;
  std::string ec = enhanced.empty() ? "" : prefix.substr(0, 1) + "." + enhanced + " ";
  out = prefix + " " + ec + text + "\r\n";
  return out;
}

std::string multiline(int code, const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += std::to_string(code) + (i + 1 < lines.size() ? "-" : " ") + lines[i] + "\r\n";
  }
  return out;
}

}  // namespace mox::smtp
