#include "message/sortkeys.h"

#include "message/basesubject.h"
#include "message/date.h"
#include "message/envelope.h"

namespace mox::message {
namespace {

struct FirstAddress {
  std::string mailbox, display;
};

// RFC 5256 §3 FROM/TO/CC and RFC 5957 §3 DISPLAYFROM/DISPLAYTO of the first
// address of field `name`; empty when there is none.
FirstAddress first_address(const Header& h, std::string_view name) {
  const HeaderField* f = h.first(name);
  if (!f) return {};
  std::vector<Address> list = envelope_addresses(f->value);
  if (list.empty()) return {};
  const Address& a = list.front();
  if (!a.group.empty()) return {ascii_casemap_key(a.group), ascii_casemap_key(a.group)};
  std::string spec = a.domain.empty() ? a.localpart : a.localpart + "@" + a.domain;
  return {ascii_casemap_key(a.localpart), ascii_casemap_key(a.name.empty() ? spec : a.name)};
}

}  // namespace

std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = value.find('<', i)) != std::string_view::npos) {
    size_t end = value.find('>', i + 1);
    if (end == std::string_view::npos) break;
    std::string id;
    for (char c : value.substr(i + 1, end - i - 1)) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id += c;
    }
    if (id.find('@') != std::string::npos && id.find('<') == std::string::npos) {
      out.push_back(std::move(id));
    }
    i = end + 1;
  }
  return out;
}

SortKeys sort_keys(const Header& h) {
  SortKeys k;
  if (const HeaderField* f = h.first("Date")) k.sent = date_header_time(f->value);
  if (const HeaderField* f = h.first("Subject")) {
    BaseSubject b = base_subject(f->value);
    k.subject = ascii_casemap_key(b.text);
    k.reply = b.reply_or_forward;
  }
  FirstAddress from = first_address(h, "From"), to = first_address(h, "To");
  k.from = std::move(from.mailbox);
  k.display_from = std::move(from.display);
  k.to = std::move(to.mailbox);
  k.display_to = std::move(to.display);
  k.cc = first_address(h, "Cc").mailbox;
  if (const HeaderField* f = h.first("Message-ID")) {
    std::vector<std::string> ids = message_ids(f->value);
    if (!ids.empty()) k.message_id = std::move(ids.front());
  }
  // RFC 5256 §4 REFERENCES step 1: References, or else the first valid ID
  // of In-Reply-To.
  if (const HeaderField* f = h.first("References")) k.references = message_ids(f->value);
  if (k.references.empty()) {
    if (const HeaderField* f = h.first("In-Reply-To")) {
      std::vector<std::string> ids = message_ids(f->value);
      if (!ids.empty()) k.references.push_back(std::move(ids.front()));
    }
  }
  if (k.references.size() > kMaxReferences) {
    k.references.erase(k.references.begin(), k.references.end() - kMaxReferences);
  }
  return k;
}

}  // namespace mox::message
