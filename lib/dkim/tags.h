// DKIM tag=value lists (RFC 6376 §3.2), the syntax of DKIM-Signature header
// fields and of key records in DNS, parsed strictly:
//   tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
//   tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//   tag-name  = ALPHA *ALNUMPUNC            ; ALPHA / DIGIT / "_"
//   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
//   tval      = 1*VALCHAR                   ; %x21-3A / %x3C-7E
// plus UTF-8 octets in values (RFC 8616 §4). Tag names are case-sensitive
// and may not repeat (§3.2). White space after a final ";" is allowed.
//
// Pure functions over a string_view; safe from any thread; linear time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::dkim {

struct Tag {
  std::string name;
  std::string value;  // the tag-value as written (inner folding white space kept)
  size_t eq = 0;      // offset of the "=" in the input
  size_t end = 0;     // offset of the ";" after the tag, or the input size
};

// kSyntax with the offset and what was expected.
Result<std::vector<Tag>> parse_tag_list(std::string_view s);

// `value` without any white space (FWS, WSP), for base64 values (b=, bh=,
// p=) where §3.5 lets white space appear anywhere.
std::string strip_ws(std::string_view value);

// A colon-separated list (h=, q=, t=, s= of key records) split, each item
// without the white space around it (§3.5 h=: "[FWS] ':' [FWS]"); white
// space inside an item stays (and makes it invalid for the caller).
std::vector<std::string> split_colon_list(std::string_view value);

// Finds a tag by name, nullptr if absent.
const Tag* find_tag(const std::vector<Tag>& tags, std::string_view name);

}  // namespace mox::dkim
