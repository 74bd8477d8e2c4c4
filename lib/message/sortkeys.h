// What IMAP SORT (RFC 5256 §3, SORT=DISPLAY RFC 5957) and THREAD (RFC 5256
// §4) need to know of a message's header, taken once when the message is
// stored (store/sortkeys.h), so that sorting and threading a mailbox read
// rows, not message files. The string keys are in the form the
// i;ascii-casemap collation compares (ascii_casemap_key), so two keys
// compare as bytes.
//
// Pure: computed from a parsed header, no I/O, never fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "message/header.h"

namespace mox::message {

struct SortKeys {
  // The Date field's instant (RFC 5256 §2.2); nullopt when it is missing or
  // does not parse, and the internal date is used instead.
  std::optional<int64_t> sent;
  std::string subject;  // base subject (message/basesubject.h), as a key
  bool reply = false;   // the subject marked a reply or forward
  // addr-mailbox of the first From, To and Cc address (RFC 5256 §3); a
  // group's name when the list starts with a group, as ENVELOPE shows it.
  std::string from, to, cc;
  // RFC 5957 §3: the display name of the first From and To address, or its
  // addr-spec when it has none; a group's name for a group.
  std::string display_from, display_to;
  // RFC 5256 §4 REFERENCES: the message's Message-ID (without the angle
  // brackets, "" when it has none) and the IDs it refers to, oldest first:
  // those of References, or else the first of In-Reply-To.
  std::string message_id;
  std::vector<std::string> references;
};

// References kept per message: the last ones, those nearest the message.
inline constexpr size_t kMaxReferences = 100;

SortKeys sort_keys(const Header& header);

// The msg-ids ("<left@right>") in a Message-ID, In-Reply-To or References
// value, without their brackets and the white space inside them, in order;
// what has no "@" inside the brackets is skipped.
std::vector<std::string> message_ids(std::string_view value);

}  // namespace mox::message
