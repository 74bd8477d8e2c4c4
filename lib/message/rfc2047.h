// RFC 2047 encoded-words ("=?charset?B?...?=", "=?charset?Q?...?=") in
// unstructured header text (Subject) and in phrases (display names).
#pragma once

#include <string>
#include <string_view>

namespace mox::message {

// Decodes every encoded-word in `text` whose charset is known (UTF-8,
// US-ASCII, ISO-8859-1, ISO-8859-15, Windows-1252, with their usual aliases
// and an optional RFC 2231 §5 "*language" suffix) into UTF-8; ill-formed
// decoded bytes become U+FFFD. Linear white space between two adjacent
// encoded-words is dropped (RFC 2047 §6.2), and adjacent encoded-words of the
// same charset are joined before conversion, so a UTF-8 character split
// between two of them (a common sender bug) survives. Encoded-words with an
// unknown charset or a bad encoding are left as they are. Text that is not an
// encoded-word is copied unchanged (it may be raw UTF-8, RFC 6532 §3.2).
//
// Lenient where senders are known to be: encoded-words are recognised inside
// words and quoted strings too (RFC 2047 §5 forbids both), and longer than
// 75 characters (§2). Never fails, linear in the input.
std::string decode_encoded_words(std::string_view text);

}  // namespace mox::message
