#include "message/envelope.h"

#include <algorithm>
#include <vector>

#include "message/address.h"
#include "message/fetch.h"
#include "message/mimefield.h"
#include "message/rfc2047.h"
#include "util/encoding.h"

namespace mox::message {
namespace {

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// RFC 2047 §4.1 "B" encoded-words for UTF-8 text, each at most 75 characters
// (§2), split between characters, separated by a space (§5).
std::string encode_words(std::string_view s) {
  constexpr size_t kChunk = 45;  // octets: 60 base64 characters + 12 of framing
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t n = std::min(kChunk, s.size() - pos);
    while (pos + n < s.size() && n > 1 && (static_cast<unsigned char>(s[pos + n]) & 0xc0) == 0x80)
      --n;  // do not split a UTF-8 sequence
    if (!out.empty()) out += ' ';
    out += "=?UTF-8?B?" + base64_encode(s.substr(pos, n)) + "?=";
    pos += n;
  }
  return out;
}

// A display name or group name: ASCII as it is, other text encoded.
std::string phrase(std::string_view s) {
  return imap_string(is_ascii(s) ? std::string(s) : encode_words(s));
}

std::string address(std::string_view name, std::string_view route, std::string_view mailbox,
                    std::string_view host) {
  std::string out = "(";
  out += name.empty() ? "NIL" : phrase(name);
  out += ' ';
  out += route.empty() ? "NIL" : imap_string(route);  // adl (RFC 3501 §7.4.2)
  out += ' ';
  out += imap_string(mailbox.empty() ? "MISSING_MAILBOX" : mailbox);
  out += ' ';
  out += imap_string(host.empty() ? "MISSING_DOMAIN" : host);
  out += ')';
  return out;
}

// Splits an address list at the commas that are outside quoted strings,
// comments and angle brackets.
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> out;
  bool quoted = false, angle = false;
  int comment = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((quoted || comment) && c == '\\') {
      ++i;
    } else if (quoted) {
      quoted = c != '"';
    } else if (comment) {
      comment += c == '(' ? 1 : c == ')' ? -1 : 0;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      comment = 1;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == ',' && !angle) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(std::min(start, s.size())));
  return out;
}

std::string_view trim(std::string_view s, std::string_view junk) {
  size_t b = s.find_first_not_of(junk);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(junk) - b + 1);
}

// Best effort for an element that is not an address: the text in angle
// brackets (or all of it, comments left out), split at its last "@".
Address guess_address(std::string_view elem) {
  std::string stripped;  // comments removed
  int depth = 0;
  for (char c : elem) {
    if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (depth == 0) {
      stripped += c;
    }
  }
  std::string_view a = stripped;
  size_t lt = a.rfind('<');
  if (lt != std::string_view::npos) {
    a = a.substr(lt + 1);
    a = a.substr(0, a.find('>'));
  }
  constexpr std::string_view kJunk = " \t\r\n\"<>(),;:";
  a = trim(a, kJunk);
  Address out;
  size_t at = a.rfind('@');
  out.localpart = text_to_utf8(trim(a.substr(0, at), kJunk));
  if (at != std::string_view::npos) out.domain = text_to_utf8(trim(a.substr(at + 1), kJunk));
  return out;
}

std::vector<Address> lenient_list(const std::string& raw) {
  std::string value = text_to_utf8(raw);  // 8-bit octets: UTF-8 (RFC 6532) or legacy
  if (auto all = parse_address_list_keep_groups(value)) return std::move(all).value();
  std::vector<Address> out;
  for (std::string_view elem : split_list(value)) {
    if (trim(elem, " \t\r\n").empty()) continue;
    if (auto one = parse_address_list_keep_groups(elem)) {
      for (Address& a : *one) out.push_back(std::move(a));
    } else {
      out.push_back(guess_address(elem));
    }
  }
  return out;
}

// env-from etc.: "(" 1*address ")" / nil, with RFC 9051 §7.5.2 group markers:
// (NIL NIL "name" NIL) starts a group, (NIL NIL NIL NIL) ends it.
std::string address_list(const std::optional<std::string>& value) {
  if (!value) return "NIL";
  std::vector<Address> list = lenient_list(*value);
  if (list.empty()) return "NIL";
  std::string out = "(";
  const std::string* group = nullptr;
  for (const Address& a : list) {
    if (group && *group != a.group) {
      out += "(NIL NIL NIL NIL)";
      group = nullptr;
    }
    if (!group && !a.group.empty()) {
      out += "(NIL NIL " + phrase(a.group) + " NIL)";
      group = &a.group;
    }
    if (a.localpart.empty() && a.domain.empty() && !a.group.empty()) continue;  // empty group
    out += address(a.name, a.route, a.localpart, a.domain);
  }
  if (group) out += "(NIL NIL NIL NIL)";
  out += ')';
  return out;
}

// Date, In-Reply-To, Message-ID: as written; 8-bit junk made UTF-8.
std::string nonempty(const std::optional<std::string>& v) {
  if (!v || v->empty()) return "NIL";
  return imap_string(text_to_utf8(*v));
}

// The subject as written when it is ASCII (encoded-words and all, as Dovecot
// and Cyrus send it). Raw 8-bit text (RFC 6532, or undeclared legacy
// charsets) is made UTF-8 and sent as encoded-words, which IMAP4rev1
// clients can read too.
std::string subject(const std::optional<std::string>& v) {
  if (!v || v->empty()) return "NIL";
  if (is_ascii(*v)) return imap_string(*v);
  return imap_string(encode_words(decode_encoded_words(text_to_utf8(*v))));
}

}  // namespace

std::vector<Address> envelope_addresses(const std::string& value) { return lenient_list(value); }

Envelope envelope_from_header(const Header& h) {
  auto get = [&](const char* name) -> std::optional<std::string> {
    if (const HeaderField* f = h.first(name)) return f->value;
    return std::nullopt;
  };
  Envelope e;
  e.date = get("Date");
  e.subject = get("Subject");
  e.from = get("From");
  e.sender = get("Sender");
  e.reply_to = get("Reply-To");
  e.to = get("To");
  e.cc = get("Cc");
  e.bcc = get("Bcc");
  e.in_reply_to = get("In-Reply-To");
  e.message_id = get("Message-ID");
  return e;
}

// RFC 9051 §7.5.2 envelope; env-sender and env-reply-to are the from list
// when their fields are absent or hold no address.
std::string envelope(const Envelope& e) {
  std::string from = address_list(e.from);
  std::string sender = address_list(e.sender);
  std::string reply_to = address_list(e.reply_to);
  if (sender == "NIL") sender = from;
  if (reply_to == "NIL") reply_to = from;
  std::string out = "(";
  out += nonempty(e.date) + ' ';
  out += subject(e.subject) + ' ';
  out += from + ' ' + sender + ' ' + reply_to + ' ';
  out += address_list(e.to) + ' ';
  out += address_list(e.cc) + ' ';
  out += address_list(e.bcc) + ' ';
  out += nonempty(e.in_reply_to) + ' ';
  out += nonempty(e.message_id) + ')';
  return out;
}

std::string envelope(const Part& message) {
  return envelope(message.envelope.value_or(Envelope{}));
}

}  // namespace mox::message
