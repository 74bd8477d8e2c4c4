#include "sendmail/compose.h"

#include <algorithm>

#include "message/address.h"
#include "message/header.h"
#include "util/encoding.h"

namespace mox::sendmail {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A display name as a quoted-string (RFC 5322 §3.2.4), or as an RFC 2047
// §4.1 encoded-word when it is not ASCII.
std::string display_name(std::string_view name) {
  if (!ascii(name)) return "=?utf-8?b?" + base64_encode(name) + "?=";
  std::string out = "\"";
  for (char c : name) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A recipient as given on the command line or in a header: a bare local
// name (no @) goes to DefaultDestination (mox-sendmail(8)).
Result<smtp::Address> recipient(std::string_view s, const SubmitConfig& c) {
  std::string r = trim(s);
  if (r.size() >= 2 && r.front() == '<' && r.back() == '>') r = r.substr(1, r.size() - 2);
  if (r.find('@') == std::string::npos) {
    if (c.default_destination.empty()) {
      return user_error("recipient \"" + r + "\" has no @ and no DefaultDestination is configured");
    }
    return smtp::Address::parse(c.default_destination);
  }
  auto a = smtp::Address::parse(r);
  if (!a) return user_error("invalid recipient address \"" + r + "\"");
  return a;
}

// The addresses of a To/Cc/Bcc value; a list that does not parse as RFC
// 5322 (e.g. "root, admin") is split at commas.
Status add_header_recipients(std::string_view value, const SubmitConfig& c,
                             std::vector<smtp::Address>& out) {
  std::vector<std::string> raw;
  auto parse = [&raw](std::string_view v) {
    auto list = message::parse_address_list(v);
    if (!list) return false;
    for (const auto& a : *list) raw.push_back(a.domain.empty() ? a.localpart : a.addr_spec());
    return true;
  };
  if (!parse(value)) {
    // E.g. "Bob <bob@example.org>, root": each element on its own.
    size_t start = 0;
    while (start <= value.size()) {
      size_t comma = value.find(',', start);
      if (comma == std::string_view::npos) comma = value.size();
      std::string part = trim(value.substr(start, comma - start));
      if (!part.empty() && !parse(part)) raw.push_back(part);
      start = comma + 1;
    }
  }
  for (const auto& r : raw) {
    MOX_ASSIGN(smtp::Address a, recipient(r, c));
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(std::move(a));
  }
  return {};
}

}  // namespace

std::string to_crlf(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); i++) {
    char c = in[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < in.size() && in[i + 1] == '\n') i++;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

Result<Composed> compose(std::string_view input, const Args& args, const SubmitConfig& config) {
  Composed m;
  std::string msg = to_crlf(input);
  MOX_ASSIGN(message::Header h, message::parse_header(msg));
  if (!h.defects.empty()) {
    return syntax_error("invalid message: header line without a colon (" + h.defects[0].what + ")");
  }

  if (args.envelope_from == "<>") {
    m.mail_from.reset();
  } else {
    std::string from = args.envelope_from.empty() ? config.from : trim(args.envelope_from);
    if (from.size() >= 2 && from.front() == '<' && from.back() == '>')
      from = from.substr(1, from.size() - 2);
    auto a = smtp::Address::parse(from);
    if (!a) return user_error("invalid sender address \"" + from + "\"");
    m.mail_from = *a;
  }

  if (args.recipients_from_header) {
    for (const auto& f : h.fields) {
      if (f.is("To") || f.is("Cc") || f.is("Bcc"))
        MOX_TRY(add_header_recipients(f.value, config, m.rcpts));
    }
    if (m.rcpts.empty()) return user_error("no recipients in To, Cc or Bcc");
  } else {
    if (args.recipients.size() != 1) return user_error("need exactly one recipient, or -t");
    MOX_ASSIGN(smtp::Address r, recipient(args.recipients[0], config));
    m.rcpts.push_back(std::move(r));
  }

  // mox-sendmail(8): the From header is always the configured address.
  std::string out = "From: ";
  if (!args.full_name.empty()) out += display_name(args.full_name) + " ";
  out += "<" + config.from + ">\r\n";
  bool have_to = false;
  for (const auto& f : h.fields) {
    if (f.is("From")) continue;
    if (f.is("Bcc") && args.recipients_from_header) continue;  // RFC 5322 §3.6.3
    if (f.is("To")) have_to = true;
    std::string_view raw = std::string_view(msg).substr(f.offset, f.length);
    out += raw;
    if (raw.size() < 2 || raw.substr(raw.size() - 2) != "\r\n") out += "\r\n";
  }
  if (!have_to && !args.recipients_from_header) out += "To: <" + m.rcpts[0].str() + ">\r\n";
  if (config.require_tls == "no") out += "TLS-Required: No\r\n";  // RFC 8689 §5
  out += "\r\n";
  if (h.has_separator) out += std::string_view(msg).substr(h.size);
  m.message = std::move(out);
  return m;
}

}  // namespace mox::sendmail
