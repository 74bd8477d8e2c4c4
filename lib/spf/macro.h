// SPF macros (RFC 7208 §7): expansion of the domain-specs of mechanisms
// and modifiers, and of explanation strings (§6.2).
//
//   macro-string = *( macro-expand / macro-literal )
//   macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
//                  / "%%" / "%_" / "%-"
//   macro-letter = s l o d i p h c r t v   (c r t only in explanations)
//   transformers = *DIGIT [ "r" ]          (DIGIT non-zero)
//   delimiter    = . - + , / _ =
//
// Thread safety: expand_macros uses only its arguments; for %{p} it makes
// lookups with ctx.resolver, which must be safe for the calling thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dns/resolver.h"
#include "util/result.h"

namespace mox::spf {

struct MacroContext {         // §7.2-7.3
  std::string sender;         // %{s}  local@domain
  std::string local;          // %{l}
  std::string sender_domain;  // %{o}
  std::string domain;         // %{d}  current domain
  std::string ip;  // %{i} (IPv6 in dot-separated nibble form), %{c} (RFC 5952 text, exp only), %{v}
                   // "in-addr"/"ip6"
  std::string helo;                   // %{h}
  std::string receiver;               // %{r} (exp only; "unknown" when empty)
  int64_t timestamp = 0;              // %{t} (exp only)
  dns::Resolver* resolver = nullptr;  // for %{p} (validated name, §7.3; "unknown" when none)
};

// The most labels a digit transformer keeps that are told apart; larger
// values keep all (§7.3 asks for at least 127).
constexpr int kMaxMacroDigits = 128;
// The longest domain name an expansion gives (§7.3, RFC 1035 §2.3.4).
constexpr size_t kMaxDomainLength = 253;

// Expands a domain-spec (explanation=false: c, r, t and spaces are syntax
// errors, §7.1) or an explanation string (true; spaces allowed).
// Transformers: digits (keep the right-most N parts), "r" (reverse),
// delimiters . - + , / _ = (split on them, join with "."); %% %_ %- give
// "%", " ", "%20"; an upper-case macro letter URL-encodes its value
// (RFC 3986 §2.3 unreserved characters are kept, §7.3).
// A domain-spec's result is shortened from the left, whole labels at a
// time, to at most 253 octets (§7.3, last paragraph); kSyntax when that is
// impossible (one label longer than that).
// kSyntax for malformed macros or characters outside %x21-7E (and SP in
// explanations).
Result<std::string> expand_macros(std::string_view spec, const MacroContext& ctx, bool explanation);

// Only checks the syntax, as expand_macros would (for parse_record).
// `ends_with_macro` is set when the last item is a macro-expand (for the
// domain-end rule of §12).
Result<void> check_macro_string(std::string_view spec, bool explanation,
                                bool* ends_with_macro = nullptr);

}  // namespace mox::spf
