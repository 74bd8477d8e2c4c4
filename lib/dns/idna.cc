#include "dns/idna.h"

#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace mox::dns {
namespace {

struct IdnFree {
  void operator()(char* p) const { idn2_free(p); }
};

Result<std::string> a_label(std::string_view label) {
  bool ascii = true;
  for (char c : label) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  std::string out(label);
  if (ascii) {
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  char* raw = nullptr;
  int rc = idn2_to_ascii_8z(out.c_str(), &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  std::unique_ptr<char, IdnFree> a(raw);
  if (rc != IDN2_OK) {
    return syntax_error("label \"" + out + "\" is not a valid IDNA label: " + idn2_strerror(rc));
  }
  return std::string(a.get());
}

}  // namespace

Result<std::string> to_a_labels(std::string_view name) {
  std::string out;
  while (true) {
    size_t dot = name.find('.');
    MOX_ASSIGN(std::string label, a_label(name.substr(0, dot)));
    out += label;
    if (dot == std::string_view::npos) break;
    out += '.';
    name.remove_prefix(dot + 1);
  }
  return out;
}

}  // namespace mox::dns
