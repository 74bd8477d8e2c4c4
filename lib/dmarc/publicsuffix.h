// The Public Suffix List (https://publicsuffix.org/list/), used to find a
// domain's organizational domain (RFC 7489 §3.2) for DMARC alignment and
// policy discovery.
//
// The list's file format: one rule per line; "//" starts a comment line;
// a rule is read up to the first white space. Rules are normal
// ("co.uk"), wildcards ("*.ck": every label below ck is a suffix) or
// exceptions ("!www.ck": www.ck is not a suffix after all). Both the ICANN
// and the PRIVATE sections are used, as the list's algorithm says.
//
// Names: rules written as U-labels (the file's form, e.g. "公司.cn") are
// turned into A-labels ("xn--55qx5d.cn") with dns/idna.h, and names
// asked about are too, so lookups compare DNS (ASCII, lower-case) names.
// Results are lower-case A-labels without the final dot.
//
// Thread safety: a loaded list is immutable; share it freely.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "util/result.h"

namespace mox::dmarc {

class PublicSuffixList {
 public:
  // Debian's publicsuffix package installs the list here.
  static constexpr const char* kDefaultPath = "/usr/share/publicsuffix/public_suffix_list.dat";

  // Reads the file; kUser naming it when it cannot be read.
  static Result<PublicSuffixList> load(const std::string& path);
  // Rules as the file holds them. kSyntax (with the line number) for a
  // rule that is not a name; an empty text gives a list with only the
  // default rule "*".
  static Result<PublicSuffixList> from_text(std::string_view text);

  // The list's algorithm ("Algorithm" on the page above): the rule that
  // matches the most labels wins, an exception rule beats every other and
  // stands for its name minus the leftmost label, and with no match the
  // default rule "*" makes the last label the suffix. "" for an empty or
  // malformed domain.
  std::string public_suffix(std::string_view domain) const;

  // RFC 7489 §3.2: the public suffix plus one label of `domain`; `domain`
  // itself (normalized) when it has no label beyond its public suffix.
  std::string organizational_domain(std::string_view domain) const;

  size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  PublicSuffixList() = default;
  std::unordered_set<std::string> rules_;       // "co.uk"
  std::unordered_set<std::string> wildcards_;   // "ck" for "*.ck"
  std::unordered_set<std::string> exceptions_;  // "www.ck" for "!www.ck"
};

// `domain` lower-cased, in A-labels, without the final dot; "" when it is
// empty, has an empty label or is not valid UTF-8.
std::string normalize_domain(std::string_view domain);

}  // namespace mox::dmarc
