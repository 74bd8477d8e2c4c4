// SPF records (RFC 7208 §4.5, §4.6, §5, §6, ABNF in §12): the TXT value
// "v=spf1 ..." parsed into directives (qualifier + mechanism) and
// modifiers, strictly: any syntax error anywhere makes the whole record a
// permerror (§4.6), so parse_record reports the first bad term.
//
//   record        = version terms *SP              ; version = "v=spf1"
//   terms         = *( 1*SP ( directive / modifier ) )
//   directive     = [ qualifier ] mechanism         ; qualifier = + - ~ ?
//   mechanism     = all / include / a / mx / ptr / ip4 / ip6 / exists
//   modifier      = redirect / explanation / unknown-modifier
//   unknown-modifier = name "=" macro-string
//   name          = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
//
// Names of mechanisms and modifiers and the version are case-insensitive
// (RFC 5234 §2.3 quoted strings). Domain-specs are kept as written (they
// may hold macros, §7) and checked: macro syntax (§7.1) and the domain-end
// rule (a final macro or "." toplabel, §12).
//
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace mox::spf {

struct Directive {  // RFC 7208 §4.6.1, §5
  enum class Kind { kAll, kInclude, kA, kMx, kPtr, kIp4, kIp6, kExists };
  char qualifier = '+';  // + - ~ ? (§4.6.2)
  Kind kind = Kind::kAll;
  std::string domain_spec;  // include/exists (required), a/mx/ptr (optional; "" = current domain)
  std::string ip;           // ip4/ip6: the network address as written
  int cidr4 = 32, cidr6 = 128;  // dual-cidr-length (§5.6); ip4 uses cidr4, ip6 cidr6

  // The term canonically: "+" and default CIDR lengths left out, names in
  // lower case, e.g. "-ip4:192.0.2.0/24", "mx:%{d}/24//64", "~all".
  std::string text() const;
  bool operator==(const Directive&) const = default;
};

struct Record {
  std::vector<Directive> directives;
  std::optional<std::string> redirect, exp;  // domain-specs (§6.1, §6.2)
  std::vector<std::pair<std::string, std::string>>
      other_modifiers;  // unknown, kept and ignored (§6)
};

// "v=spf1" (any case) followed by a space or the end (§4.5).
bool is_spf_record(std::string_view txt);

// kSyntax naming the bad term. Only printable ASCII and spaces are allowed
// (§3: records are 7-bit; terms are separated by SP only, §4.6.1);
// "redirect" and "exp" at most once (§6).
Result<Record> parse_record(std::string_view txt);

// The name of a mechanism kind in lower case ("ip4").
std::string_view kind_name(Directive::Kind k);

}  // namespace mox::spf
