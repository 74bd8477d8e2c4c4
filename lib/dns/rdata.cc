#include "dns/rdata.h"

#include <arpa/inet.h>

#include <cctype>

namespace mox::dns {
namespace {

Error malformed(std::string_view what) {
  return {ErrorKind::kPermanent, "malformed " + std::string(what) + " record data"};
}

uint16_t get_u16(std::string_view s, size_t pos) {
  return static_cast<uint16_t>((static_cast<unsigned char>(s[pos]) << 8) |
                               static_cast<unsigned char>(s[pos + 1]));
}

Result<std::string> decode_ip(std::string_view rdata, int af, size_t len, std::string_view what) {
  if (rdata.size() != len) return malformed(what);
  char buf[INET6_ADDRSTRLEN];
  if (::inet_ntop(af, rdata.data(), buf, sizeof buf) == nullptr) return malformed(what);
  return std::string(buf);
}

}  // namespace

std::string name_to_wire(std::string_view name) {
  std::string out;
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    out += static_cast<char>(label.size());
    out += label;
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  out += '\0';
  return out;
}

void put_u16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

void put_u32(std::string& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v & 0xffff));
}

// RFC 1035 §3.1: labels, each a length octet (at most 63) and its octets,
// ending in the zero-length root label. Compression pointers (§4.1.4, top
// bits 11) cannot occur in RDATA handed to us and are refused.
Result<std::string> read_wire_name(std::string_view rdata, size_t& pos) {
  std::string name;
  size_t total = 0;
  while (true) {
    if (pos >= rdata.size()) return malformed("name");
    auto len = static_cast<unsigned char>(rdata[pos++]);
    if (len == 0) break;
    if (len > 63 || pos + len > rdata.size()) return malformed("name");
    total += len + 1;
    if (total > 255) return malformed("name");
    if (!name.empty()) name += '.';
    for (size_t i = 0; i < len; ++i) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(rdata[pos + i])));
    }
    pos += len;
  }
  return name;
}

// RFC 1035 §3.3.14: one or more <character-string>s, concatenated
// (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
Result<std::string> decode_txt(std::string_view rdata) {
  std::string out;
  size_t pos = 0;
  if (rdata.empty()) return malformed("TXT");
  while (pos < rdata.size()) {
    auto len = static_cast<unsigned char>(rdata[pos++]);
    if (pos + len > rdata.size()) return malformed("TXT");
    out.append(rdata.substr(pos, len));
    pos += len;
  }
  return out;
}

Result<Mx> decode_mx(std::string_view rdata) {
  if (rdata.size() < 3) return malformed("MX");
  Mx mx;
  mx.preference = get_u16(rdata, 0);
  size_t pos = 2;
  MOX_ASSIGN(mx.host, read_wire_name(rdata, pos));
  if (pos != rdata.size()) return malformed("MX");
  return mx;
}

Result<std::string> decode_a(std::string_view rdata) { return decode_ip(rdata, AF_INET, 4, "A"); }

Result<std::string> decode_aaaa(std::string_view rdata) {
  return decode_ip(rdata, AF_INET6, 16, "AAAA");
}

Result<Tlsa> decode_tlsa(std::string_view rdata) {
  if (rdata.size() < 4) return malformed("TLSA");
  Tlsa t;
  t.usage = static_cast<uint8_t>(rdata[0]);
  t.selector = static_cast<uint8_t>(rdata[1]);
  t.matching_type = static_cast<uint8_t>(rdata[2]);
  t.data = std::string(rdata.substr(3));
  return t;
}

Result<std::string> decode_name(std::string_view rdata) {
  size_t pos = 0;
  MOX_ASSIGN(std::string name, read_wire_name(rdata, pos));
  if (pos != rdata.size()) return malformed("name");
  return name;
}

}  // namespace mox::dns
