#include "cli/stdin.h"

#include <iostream>
#include <iterator>

namespace mox {

std::string read_stdin() {
  std::cin >> std::noskipws;
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

StdinMessage read_stdin_message() {
  std::string in = read_stdin();
  StdinMessage m;
  m.lf_only = in.find('\n') != std::string::npos && in.find("\r\n") == std::string::npos;
  m.crlf.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r')) m.crlf += '\r';
    m.crlf += in[i];
  }
  return m;
}

}  // namespace mox
