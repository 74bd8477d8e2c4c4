// DMARC policy records (RFC 7489 §6.3, grammar §6.4), with the np= tag of
// RFC 9091 §4.1 / DMARCbis (policy for non-existent subdomains).
//
// Case: tag names and keyword values ("reject", "r", "s") are ABNF quoted
// strings, so case-insensitive (RFC 5234 §2.3); the version "DMARC1" is
// written with %x escapes and must match exactly (§6.4). Unknown tags are
// ignored (§6.3). A missing or invalid p= (or an invalid sp=) with a valid
// rua= is read as p=none (§6.6.3 step 6); without rua= it is an error.
//
// Tag order: v= must come first (§6.3); p= is accepted at any place after
// it, since a receiver learns the owner's wish either way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::dmarc {

enum class Policy { kNone, kQuarantine, kReject };
std::string_view policy_name(Policy p);  // "none", "quarantine", "reject"

// §3.1.1 / §3.1.2: relaxed compares organizational domains, strict names.
enum class Alignment { kRelaxed, kStrict };

struct Record {
  Policy policy = Policy::kNone;             // p=
  std::optional<Policy> subdomain_policy;    // sp=; absent: p applies
  std::optional<Policy> nonexistent_policy;  // np= (RFC 9091 §4.1); absent: sp, then p
  int percent = 100;                         // pct=, 0..100
  Alignment adkim = Alignment::kRelaxed;     // adkim=
  Alignment aspf = Alignment::kRelaxed;      // aspf=
  std::vector<std::string> rua, ruf;         // report URIs as written, "!size" kept
  std::string fo = "0";                      // fo=, options joined by ":", lower-case
  std::string rf = "afrf";                   // rf=, formats joined by ":", lower-case
  uint32_t interval = 86400;                 // ri=, seconds

  // "v=DMARC1; p=reject; ..." with the tags that differ from their
  // defaults; parse_record() of it gives this record back.
  std::string text() const;

  bool operator==(const Record&) const = default;
};

// Whether a TXT record claims to be DMARC: "v" *WSP "=" *WSP "DMARC1"
// followed by the end, ";" or white space (§6.4 dmarc-version). Other TXT
// records at _dmarc are discarded (§6.6.3 step 3).
bool is_dmarc_record(std::string_view txt);

// Parses a DMARC record. kSyntax naming the tag at fault ("pct: ...") for
// a known tag with a bad value, a repeated tag, a malformed tag, or a
// record that does not start with v=DMARC1.
Result<Record> parse_record(std::string_view txt);

}  // namespace mox::dmarc
