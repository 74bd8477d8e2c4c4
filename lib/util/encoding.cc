#include "util/encoding.h"

#include <sodium.h>

#include <vector>

namespace mox {
namespace {

std::string encode(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // drop the terminating NUL
  return out;
}

Result<std::string> decode(std::string_view text, int variant) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return syntax_error("invalid base64");
  }
  out.resize(len);
  return out;
}

}  // namespace

std::string base64_encode(std::string_view b) { return encode(b, sodium_base64_VARIANT_ORIGINAL); }
std::string base64url_encode(std::string_view b) {
  return encode(b, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
Result<std::string> base64_decode(std::string_view t) {
  return decode(t, sodium_base64_VARIANT_ORIGINAL);
}
Result<std::string> base64url_decode(std::string_view t) {
  return decode(t, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string hex_encode(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.resize(bytes.size() * 2);
  return out;
}

int base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int hex_byte(std::string_view s, size_t i) {
  if (i + 1 >= s.size()) return -1;
  int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::string random_token(size_t n) {
  std::string b(n, '\0');
  randombytes_buf(b.data(), b.size());
  return base64url_encode(b);
}

}  // namespace mox
