// The base subject of a message (RFC 5256 §2.1), by which IMAP SORT orders
// SUBJECT and THREAD gathers messages: the Subject field with its RFC 2047
// encoded-words decoded and its reply and forward markers ("Re:", "Fwd:",
// "[list] Re:", "(fwd)", "[Fwd: ...]") and white space stripped, so that
// "Re: [Fwd: hello]" and "hello" compare equal.
//
// Pure and bounded: linear in the subject's length times the number of
// markers removed; never fails.
#pragma once

#include <string>
#include <string_view>

namespace mox::message {

struct BaseSubject {
  std::string text;  // UTF-8, case kept; "" for no or an empty subject
  // A subj-refwd, "(fwd)" trailer or "[fwd: ...]" wrapper was removed: the
  // message is a reply or forward (RFC 5256 §5 REFERENCES step 5).
  bool reply_or_forward = false;
};

// The base subject of an unfolded Subject field value as written (encoded
// words still encoded).
BaseSubject base_subject(std::string_view subject);

// `s` with a-z mapped to A-Z: the key under which the i;ascii-casemap
// collation (RFC 4790 §9.2) that SORT and THREAD use (RFC 5256 §2.1)
// compares strings, so that keys compare as bytes.
std::string ascii_casemap_key(std::string_view s);

}  // namespace mox::message
