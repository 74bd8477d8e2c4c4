// DKIM canonicalization (RFC 6376 §3.4): "simple" and "relaxed" for header
// fields and for the body. The body canonicalizer streams, so a message of
// any size is hashed in bounded memory (only runs of empty lines and white
// space are held back, as counts).
//
// Input is the message in wire form (CRLF line ends, RFC 5322 §2.1); a bare
// CR or LF is an ordinary octet here.
//
// Pure; a BodyCanonicalizer is a single-threaded value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mox::dkim {

// §3.4.1: the field unchanged, name and value as written, with its CRLF
// (added if the field had no line end, i.e. ended the input).
std::string simple_header(std::string_view raw_field);

// §3.4.2: name lower-cased; value unfolded, each run of WSP made one SP,
// WSP at the start and end removed; "name:value" without CRLF.
std::string relaxed_header(std::string_view name, std::string_view raw_value);

// §3.4.3 simple / §3.4.4 relaxed body canonicalization.
class BodyCanonicalizer {
 public:
  explicit BodyCanonicalizer(bool relaxed) : relaxed_(relaxed) {}
  // Appends to `out` the canonical form of `chunk` as far as it is known.
  void update(std::string_view chunk, std::string& out);
  // Appends the rest: simple ends in exactly one CRLF (an empty body is
  // CRLF); relaxed drops trailing empty lines (an empty body is empty) and
  // adds a CRLF after a last line without one.
  void finish(std::string& out);

 private:
  void content(std::string_view run, std::string& out);
  void line_end(std::string& out);

  bool relaxed_;
  bool cr_ = false;         // a CR was seen, its LF may follow in the next chunk
  bool wsp_ = false;        // relaxed: WSP seen and not yet written
  bool in_line_ = false;    // the current line has content
  bool emitted_ = false;    // anything was written
  size_t empty_lines_ = 0;  // held back: they may be trailing
};

// Whole-body helper: the canonical body of `body`.
std::string canonical_body(std::string_view body, bool relaxed);

}  // namespace mox::dkim
