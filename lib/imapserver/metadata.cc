// GETMETADATA and SETMETADATA (RFC 5464): entries of the server (mailbox "")
// and of mailboxes, private and shared alike kept per account
// (store/metadata.h), within the limits of mox-imapd(8) "METADATA".
#include <variant>

#include "imap/writer.h"
#include "imapserver/session.h"
#include "imapstring/imapstring.h"

namespace mox::imapserver {
namespace {

using imap::Condition;

// Octets of one value: NO [METADATA MAXSIZE n]; below the Reader's literal
// limit (imap/reader.h max_literal), so that the client learns the limit.
constexpr size_t kMaxValue = 32 * 1024;
constexpr size_t kMaxEntries = 256;  // per mailbox or server: NO [METADATA TOOMANY]

// RFC 5464 §3.2: "/private/..." or "/shared/...", slash-separated parts of
// printable ASCII without "*" and "%", no empty part, no trailing slash.
// GETMETADATA may name the two roots themselves (with DEPTH: all entries).
bool valid_entry(std::string_view e, bool get) {
  if (get && (e == "/private" || e == "/shared")) return true;
  if (e.rfind("/private/", 0) != 0 && e.rfind("/shared/", 0) != 0) return false;
  if (e.back() == '/' || e.find("//") != std::string_view::npos) return false;
  for (char c : e) {
    if (c <= 0x20 || c >= 0x7f || c == '*' || c == '%') return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

// Whether stored entry `e` answers request `want` at `depth` (RFC 5464 §4.2.2).
bool matches(const std::string& e, const std::string& want, int depth) {
  if (e == want) return true;
  if (depth == 0 || e.size() <= want.size() + 1 || e.compare(0, want.size(), want) != 0 ||
      e[want.size()] != '/') {
    return false;
  }
  return depth < 0 || e.find('/', want.size() + 1) == std::string::npos;
}

std::string value_form(const std::string& v, bool utf8) {
  if (v.find('\0') != std::string::npos) {
    return "~{" + std::to_string(v.size()) + "}\r\n" + v;  // literal8, RFC 5464 §5
  }
  return imapstring::string_form(v, utf8);
}

}  // namespace

// The mailbox's ID for the metadata table, 0 for the server (""), or a NO
// written to `out`.
std::optional<int64_t> Session::metadata_mailbox(const std::string& name, Output& out,
                                                 const std::string& tag) {
  if (name.empty()) return 0;
  auto mb = mailstore_->find_mailbox(name);
  if (!mb) {
    store_failure(out, tag, mb.error(), "");
    return std::nullopt;
  }
  if (!*mb) {
    respond(out, tag, Condition::kNo, "NONEXISTENT", "mailbox does not exist");
    return std::nullopt;
  }
  return (*mb)->id;
}

void Session::cmd_getmetadata(imap::Command& c, Output& out) {
  auto& a = std::get<imap::GetMetadataArgs>(c.args);
  for (const auto& e : a.entries) {
    if (!valid_entry(lower(e), true)) return bad(out, c.tag, "invalid metadata entry name");
  }
  auto id = metadata_mailbox(a.mailbox, out, c.tag);
  if (!id) return;
  auto stored = mailstore_->list_metadata(*id);
  if (!stored) return store_failure(out, c.tag, stored.error(), "");
  std::string items;
  size_t longest = 0;  // of the values left out for MAXSIZE
  auto add = [&](const std::string& name, const std::string* value) {
    if (value && a.maxsize && value->size() > *a.maxsize) {
      longest = std::max(longest, value->size());
      return;
    }
    imap::ResponseWriter w;
    w.astring(name);
    items +=
        (items.empty() ? "" : " ") + w.take() + " " + (value ? value_form(*value, utf8_) : "NIL");
  };
  for (const auto& sent : a.entries) {
    std::string want = lower(sent);
    bool found = false;
    for (const auto& e : *stored) {
      if (!matches(e.entry, want, a.depth)) continue;
      found |= e.entry == want;
      add(e.entry, &e.value);
    }
    if (!found) add(want, nullptr);  // RFC 5464 §4.2: NIL for an entry without a value
  }
  if (!items.empty()) {
    imap::ResponseWriter w(utf8_);
    w.mailbox(a.mailbox);
    out.reply += "* METADATA " + w.take() + " (" + items + ")\r\n";
  }
  // RFC 5464 §4.2.1: how large the largest value left out is.
  std::string code = longest ? "METADATA LONGENTRIES " + std::to_string(longest) : "";
  respond(out, c.tag, Condition::kOk, code, "getmetadata done");
}

void Session::cmd_setmetadata(imap::Command& c, Output& out) {
  auto& a = std::get<imap::SetMetadataArgs>(c.args);
  std::vector<store::MetadataChange> changes;
  for (auto& [entry, value] : a.entries) {
    std::string e = lower(entry);
    if (!valid_entry(e, false)) return bad(out, c.tag, "invalid metadata entry name");
    if (value && value->size() > kMaxValue) {
      // RFC 5464 §4.3: the largest value the server takes.
      return respond(out, c.tag, Condition::kNo, "METADATA MAXSIZE " + std::to_string(kMaxValue),
                     "metadata value too large");
    }
    changes.emplace_back(std::move(e), std::move(value));
  }
  auto id = metadata_mailbox(a.mailbox, out, c.tag);
  if (!id) return;
  auto st = mailstore_->set_metadata(*id, changes, kMaxEntries);
  if (!st && st.error().message == store::kTooManyMetadata) {
    return respond(out, c.tag, Condition::kNo, "METADATA TOOMANY", st.error().message);
  }
  if (!st) return store_failure(out, c.tag, st.error(), "");
  respond(out, c.tag, Condition::kOk, "", "setmetadata done");
}

}  // namespace mox::imapserver
