#include "dkim/dnsrecord.h"

#include <algorithm>
#include <cstdio>

#include "crypto/keys.h"
#include "util/encoding.h"

namespace mox::dkim {

Result<std::string> txt_record_value(EVP_PKEY* key) {
  switch (crypto::key_type(key)) {
    case crypto::KeyType::kRsa: {
      // RFC 8301 §3.2: verifiers must not accept RSA keys under 1024 bits.
      if (crypto::key_bits(key) < 1024) return user_error("rsa key too small for dkim");
      MOX_ASSIGN(std::string spki, crypto::public_key_spki_der(key));
      return "v=DKIM1; h=sha256; p=" + base64_encode(spki);
    }
    case crypto::KeyType::kEd25519: {
      // RFC 8463 §4.2: p= is the raw public key, not a SubjectPublicKeyInfo.
      MOX_ASSIGN(std::string raw, crypto::ed25519_public_raw(key));
      return "v=DKIM1; h=sha256; k=ed25519; p=" + base64_encode(raw);
    }
    case crypto::KeyType::kEcdsa:
    case crypto::KeyType::kOther:
      break;
  }
  return user_error("dkim keys must be rsa or ed25519");
}

std::vector<std::string> split_txt(std::string_view value, size_t max) {
  max = std::clamp<size_t>(max, 1, 255);
  std::vector<std::string> parts;
  do {
    size_t n = std::min(max, value.size());
    parts.emplace_back(value.substr(0, n));
    value.remove_prefix(n);
  } while (!value.empty());
  return parts;
}

std::string zone_txt_strings(std::string_view value) {
  std::string out;
  for (const std::string& part : split_txt(value)) {
    if (!out.empty()) out += ' ';
    out += '"';
    for (unsigned char c : part) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20 || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
    out += '"';
  }
  return out;
}

}  // namespace mox::dkim
