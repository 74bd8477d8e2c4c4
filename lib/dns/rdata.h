// Wire-format RDATA (RFC 1035 §3.3) to typed values and back, shared by the
// resolvers: libunbound hands out RDATA in wire format, the zone-file parser
// produces it. Names in RDATA must be uncompressed (RFC 3597 §4: unknown and
// newer types never use compression; unbound decompresses the rest).
//
// Pure functions; every decoder checks bounds and reports kPermanent for
// malformed data (a broken answer from DNS is not our syntax error).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/resolver.h"
#include "util/result.h"

namespace mox::dns {

// Encoders (for zone files). `name` is normalized (normalize_name) or "" for
// the root.
std::string name_to_wire(std::string_view name);
void put_u16(std::string& out, uint16_t v);
void put_u32(std::string& out, uint32_t v);

// Decoders. `pos` is advanced past what was read.
Result<std::string> read_wire_name(std::string_view rdata, size_t& pos);
Result<std::string> decode_txt(std::string_view rdata);
Result<Mx> decode_mx(std::string_view rdata);
Result<std::string> decode_a(std::string_view rdata);
Result<std::string> decode_aaaa(std::string_view rdata);
Result<Tlsa> decode_tlsa(std::string_view rdata);
Result<std::string> decode_name(std::string_view rdata);  // CNAME, PTR, NS

}  // namespace mox::dns
