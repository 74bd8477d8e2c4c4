// Commands of the selected state (RFC 9051 §6.4) and untagged updates.
#include <strings.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <variant>

#include "imap/date.h"
#include "imapserver/search_update.h"
#include "imapserver/session.h"
#include "message/fetch.h"
#include "message/header.h"
#include "message/mime.h"
#include "message/rfc2047.h"
#include "message/searchtext.h"
#include "message/section.h"

namespace mox::imapserver {
namespace {

using imap::Condition;

std::string literal(std::string_view data) {
  return "{" + std::to_string(data.size()) + "}\r\n" + std::string(data);
}

std::string section_name(const imap::Section& s) {
  std::string n;
  for (size_t i = 0; i < s.part.size(); ++i) n += (i ? "." : "") + std::to_string(s.part[i]);
  const char* t = nullptr;
  switch (s.text) {
    case imap::Section::Text::kNone:
      break;
    case imap::Section::Text::kHeader:
      t = "HEADER";
      break;
    case imap::Section::Text::kHeaderFields:
      t = "HEADER.FIELDS";
      break;
    case imap::Section::Text::kHeaderFieldsNot:
      t = "HEADER.FIELDS.NOT";
      break;
    case imap::Section::Text::kText:
      t = "TEXT";
      break;
    case imap::Section::Text::kMime:
      t = "MIME";
      break;
  }
  if (t) n += std::string(n.empty() ? "" : ".") + t;
  if (!s.fields.empty()) {
    n += " (";
    for (size_t i = 0; i < s.fields.size(); ++i) n += (i ? " " : "") + s.fields[i];
    n += ")";
  }
  return n;
}

message::SectionSpec to_spec(const imap::Section& s) {
  message::SectionSpec spec;
  spec.part = s.part;
  spec.fields = s.fields;
  using T = message::SectionSpec::Text;
  switch (s.text) {
    case imap::Section::Text::kNone:
      spec.text = T::kAll;
      break;
    case imap::Section::Text::kHeader:
      spec.text = T::kHeader;
      break;
    case imap::Section::Text::kHeaderFields:
      spec.text = T::kHeaderFields;
      break;
    case imap::Section::Text::kHeaderFieldsNot:
      spec.text = T::kHeaderFieldsNot;
      break;
    case imap::Section::Text::kText:
      spec.text = T::kText;
      break;
    case imap::Section::Text::kMime:
      spec.text = T::kMime;
      break;
  }
  return spec;
}

// A message loaded for FETCH or SEARCH, parsed on first use.
struct Loaded {
  std::string data;
  std::optional<message::Part> root;
  const message::Part& part() {
    if (!root) root = message::parse_message(data);
    return *root;
  }
};

}  // namespace

std::vector<std::string> Session::flag_names(const store::MessageFlags& f, bool recent) const {
  std::vector<std::string> out;
  if (recent) out.push_back("\\Recent");
  std::vector<std::string> names = store::flag_names(f);
  out.insert(out.end(), names.begin(), names.end());
  return out;
}

std::string flags_text(const std::vector<std::string>& names) {
  std::string s = "(";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? " " : "") + names[i];
  return s + ")";
}

std::string Session::flags_responses() const {
  std::string f =
      "\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded $Junk $NotJunk $Phishing $MDNSent";
  for (const auto& k : keywords_) f += " " + k;
  return "* FLAGS (" + f + ")\r\n* OK [PERMANENTFLAGS (" + f + (read_only_ ? "" : " \\*") +
         ")] x\r\n";
}

void Session::announce_keywords(Output& out, const store::MessageFlags& f) {
  bool added = false;
  for (const auto& k : f.keywords) added |= keywords_.insert(k).second;
  if (added) out.reply += flags_responses();
}

size_t Session::index_of_uid(int64_t uid) const {
  auto it = std::lower_bound(msgs_.begin(), msgs_.end(), uid,
                             [](const Msg& m, int64_t u) { return m.uid < u; });
  return it != msgs_.end() && it->uid == uid ? static_cast<size_t>(it - msgs_.begin())
                                             : msgs_.size();
}

void Session::report_expunged(Output& out, const std::vector<int64_t>& uids) {
  std::vector<uint32_t> gone;
  // CONTEXT=SEARCH: REMOVEFROM before the EXPUNGE, or all before VANISHED.
  for (int64_t uid : uids) {
    if (qresync_ && index_of_uid(uid) < msgs_.size()) search_expunging(out, index_of_uid(uid));
  }
  for (int64_t uid : uids) {
    auto it = msgs_.begin() + static_cast<std::ptrdiff_t>(index_of_uid(uid));
    if (it == msgs_.end()) continue;
    if (!qresync_) search_expunging(out, static_cast<size_t>(it - msgs_.begin()));
    if (!qresync_ && !uidonly_) {
      out.reply += "* " + std::to_string(it - msgs_.begin() + 1) + " EXPUNGE\r\n";
    }
    gone.push_back(static_cast<uint32_t>(uid));
    msgs_.erase(it);
  }
  // RFC 7162 §3.2.10: with QRESYNC enabled, VANISHED replaces EXPUNGE; so
  // with UIDONLY (RFC 9586 §3.4).
  if ((qresync_ || uidonly_) && !gone.empty()) {
    out.reply += "* VANISHED " + imap::SequenceSet::from_numbers(gone).to_string() + "\r\n";
  }
}

void Session::updates(Output& out, bool expunges_allowed) {
  if (!mailbox_ || !mailstore_) return;
  auto ch = mailstore_->changes_since(mailbox_->id, modseq_);
  if (!ch) return;
  if (!ch->expunged.empty() && !expunges_allowed) {
    expunges_allowed = false;
  }
  if (expunges_allowed) report_expunged(out, ch->expunged);
  size_t before = msgs_.size();
  for (const auto& r : ch->changed) {
    auto it = msgs_.begin() + static_cast<std::ptrdiff_t>(index_of_uid(r.uid));
    if (it == msgs_.end()) {
      if (msgs_.empty() || r.uid > msgs_.back().uid) {
        announce_keywords(out, r.flags);
        msgs_.push_back({r.uid, r.id, r.modseq, r.size, r.received, r.flags});
        search_touched(r);
      }
      continue;
    }
    if (it->modseq == r.modseq) continue;  // our own change, already reported
    it->flags = r.flags;
    it->modseq = r.modseq;
    search_touched(r);
    announce_keywords(out, r.flags);
    out.reply += fetch_head(static_cast<size_t>(it - msgs_.begin())) + "UID " +
                 std::to_string(r.uid) + " FLAGS " + flags_text(flag_names(r.flags, it->recent)) +
                 (condstore_ ? " MODSEQ (" + std::to_string(r.modseq) + ")" : "") + ")\r\n";
  }
  if (msgs_.size() != before) {
    recent_for_new(before);
    out.reply += "* " + std::to_string(msgs_.size()) + " EXISTS\r\n";
    if (!rev2_) out.reply += "* " + std::to_string(recent_count()) + " RECENT\r\n";
  }
  if (expunges_allowed || ch->expunged.empty()) modseq_ = std::max(modseq_, ch->highest_modseq);
  search_flush(out);
}

std::vector<size_t> Session::resolve(const imap::SequenceSet& set, bool uid) const {
  std::vector<size_t> out;
  if (set.search_result()) {
    for (size_t i = 0; i < msgs_.size(); ++i) {
      if (std::find(saved_.begin(), saved_.end(), msgs_[i].uid) != saved_.end()) out.push_back(i);
    }
    return out;
  }
  if (msgs_.empty()) return out;
  uint32_t star =
      uid ? static_cast<uint32_t>(msgs_.back().uid) : static_cast<uint32_t>(msgs_.size());
  for (size_t i = 0; i < msgs_.size(); ++i) {
    uint32_t n = uid ? static_cast<uint32_t>(msgs_[i].uid) : static_cast<uint32_t>(i + 1);
    if (set.contains(n, star)) out.push_back(i);
  }
  return out;
}

bool Session::seqs_valid(const imap::SequenceSet& set) const {
  // RFC 9051 §9 seq-number: a message sequence number above the number of
  // messages is invalid (a range with "*" is clamped; UIDs may name gaps).
  for (const imap::SeqRange& r : set.ranges()) {
    if (r.first == imap::SeqRange::kStar || r.last == imap::SeqRange::kStar) continue;
    if (std::max(r.first, r.last) > msgs_.size()) return false;
  }
  return true;
}

std::string Session::fetch_one(size_t index, const std::vector<imap::FetchAtt>& atts,
                               bool uid_fetch, const store::FetchForms* forms, bool& set_seen) {
  const Msg& m = msgs_[index];
  Loaded msg;
  bool loaded = false, missing = false;
  auto load = [&]() -> Loaded& {
    if (!loaded) {
      auto d = mailstore_->message_data(m.id);
      if (d) {
        msg.data = std::move(*d);
      } else {
        // Expunged by another session, its file gone (docs/DESIGN.md
        // "Expunged messages in FETCH"): NIL data and NO [EXPUNGEISSUED].
        missing = true;
        expunge_issued_ = true;
        if (d.error().kind != ErrorKind::kNotFound) backend_.log_error(d.error().message);
      }
      loaded = true;
    }
    return msg;
  };
  // The data of a body item: a literal (literal8 for `binary` data holding
  // NUL, RFC 3516 §4.3), or NIL for a message whose file is gone.
  auto body_item = [&](const std::string& name, const std::string& data, bool binary) {
    if (missing) return name + " NIL";
    bool nul = binary && data.find('\0') != std::string::npos;
    return name + " " + (nul ? "~" : "") + literal(data);
  };
  std::vector<std::string> items;
  bool has_uid = false;
  for (const auto& a : atts) has_uid |= a.kind == imap::FetchAtt::Kind::kUid;
  if (uid_fetch && !has_uid) items.push_back("UID " + std::to_string(m.uid));
  using K = imap::FetchAtt::Kind;
  for (const auto& a : atts) {
    switch (a.kind) {
      case K::kUid:
        items.push_back("UID " + std::to_string(m.uid));
        break;
      case K::kFlags:
        items.push_back("FLAGS " + flags_text(flag_names(m.flags, m.recent)));
        break;
      case K::kInternalDate:
        items.push_back("INTERNALDATE " + imap::format_date_time(m.received, 0));
        break;
      case K::kRfc822Size:
        items.push_back("RFC822.SIZE " + std::to_string(m.size));
        break;
      case K::kModSeq:
        items.push_back("MODSEQ (" + std::to_string(m.modseq) + ")");
        break;
      // Computed at delivery (store/parsed.h), not from the file.
      case K::kEnvelope:
        items.push_back("ENVELOPE " + (forms ? forms->envelope : message::envelope(load().part())));
        break;
      case K::kBodyStructure:
        items.push_back("BODYSTRUCTURE " + (forms ? forms->bodystructure
                                                  : message::bodystructure(load().part(), true)));
        break;
      case K::kBody:
        items.push_back("BODY " +
                        (forms ? forms->body : message::bodystructure(load().part(), false)));
        break;
      case K::kRfc822:
        load();
        items.push_back(body_item("RFC822", msg.data, false));
        set_seen = true;
        break;
      case K::kRfc822Header:
      case K::kRfc822Text: {
        message::SectionSpec spec;
        bool header = a.kind == K::kRfc822Header;
        spec.text =
            header ? message::SectionSpec::Text::kHeader : message::SectionSpec::Text::kText;
        load();
        std::string data = missing ? std::string() : message::section(msg.data, msg.part(), spec);
        items.push_back(body_item(header ? "RFC822.HEADER" : "RFC822.TEXT", data, false));
        if (!header) set_seen = true;
        break;
      }
      case K::kBodySection: {
        // BODY[] is the whole message: no need to parse it.
        bool whole = a.section.part.empty() && a.section.text == imap::Section::Text::kNone;
        load();
        std::string data = whole || missing
                               ? msg.data
                               : message::section(msg.data, msg.part(), to_spec(a.section));
        std::string name = "BODY[" + section_name(a.section) + "]";
        if (a.partial_offset) {
          name += "<" + std::to_string(*a.partial_offset) + ">";
          data = std::string(message::partial(data, *a.partial_offset, a.partial_count));
        }
        items.push_back(body_item(name, data, false));
        if (!a.peek) set_seen = true;
        break;
      }
      case K::kBinary: {
        load();
        std::string data;
        if (!missing) {
          auto b = message::binary(msg.data, msg.part(), a.section.part);
          if (!b && b.error().kind == ErrorKind::kPermanent) unknown_cte_ = true;
          if (b) data = std::move(*b);
        }
        std::string name = "BINARY[" + section_name(a.section) + "]";
        if (a.partial_offset) {
          name += "<" + std::to_string(*a.partial_offset) + ">";
          data = std::string(message::partial(data, *a.partial_offset, a.partial_count));
        }
        items.push_back(body_item(name, data, true));
        if (!a.peek) set_seen = true;
        break;
      }
      case K::kBinarySize: {
        load();
        Result<size_t> n = size_t{0};
        if (!missing) n = message::binary_size(msg.data, msg.part(), a.section.part);
        items.push_back("BINARY.SIZE[" + section_name(a.section) + "] " +
                        std::to_string(n ? *n : 0));
        break;
      }
      case K::kSaveDate:
        items.push_back("SAVEDATE NIL");
        break;
      case K::kPreview:
        items.push_back("PREVIEW " + preview_form(m.id));
        break;
    }
  }
  if (missing) set_seen = false;
  std::string out = fetch_head(index);
  for (size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + items[i];
  return out + ")\r\n";
}

void Session::enable_condstore(Output& out) {
  if (condstore_) return;
  condstore_ = true;
  // RFC 7162 §3.1: an untagged OK (or the tagged one) names HIGHESTMODSEQ.
  if (mailbox_) out.reply += "* OK [HIGHESTMODSEQ " + std::to_string(modseq_) + "] x\r\n";
}

void Session::cmd_fetch(imap::Command& c, Output& out) {
  auto& a = std::get<imap::FetchArgs>(c.args);
  updates(out, c.uid);
  if (!c.uid && !seqs_valid(a.set)) return bad(out, c.tag, "Invalid messageset");
  std::vector<size_t> idx = resolve(a.set, c.uid);
  unknown_cte_ = expunge_issued_ = false;
  std::vector<imap::FetchAtt> atts = a.atts;
  bool has_modseq = false;
  for (const auto& x : atts) has_modseq |= x.kind == imap::FetchAtt::Kind::kModSeq;
  if (a.changed_since && !has_modseq) {
    // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ in the response.
    imap::FetchAtt m;
    m.kind = imap::FetchAtt::Kind::kModSeq;
    atts.push_back(m);
  }
  if (a.changed_since || has_modseq) enable_condstore(out);
  if (a.changed_since && a.vanished) {
    // RFC 7162 §3.2.6: UIDs in the set expunged since the given modseq.
    if (!qresync_) return bad(out, c.tag, "VANISHED requires ENABLE QRESYNC");
    auto ch = mailstore_->changes_since(mailbox_->id, static_cast<int64_t>(*a.changed_since));
    std::vector<uint32_t> gone;
    if (ch) {
      for (int64_t uid : ch->expunged) {
        if (a.set.contains(static_cast<uint32_t>(uid), static_cast<uint32_t>(mailbox_->uidnext))) {
          gone.push_back(static_cast<uint32_t>(uid));
        }
      }
    }
    if (!gone.empty()) {
      out.reply +=
          "* VANISHED (EARLIER) " + imap::SequenceSet::from_numbers(gone).to_string() + "\r\n";
    }
  }
  if (a.changed_since) {
    std::erase_if(
        idx, [&](size_t i) { return msgs_[i].modseq <= static_cast<int64_t>(*a.changed_since); });
  }
  FetchJob job;
  job.tag = c.tag;
  job.uid = c.uid;
  job.want_forms = std::any_of(atts.begin(), atts.end(), [](const imap::FetchAtt& x) {
    using K = imap::FetchAtt::Kind;
    return x.kind == K::kEnvelope || x.kind == K::kBodyStructure || x.kind == K::kBody;
  });
  job.atts = std::move(atts);
  job.idx = std::move(idx);
  fetch_job_ = std::move(job);
  fetch_step(out);
}

// Adds FETCH responses until the reply holds kReplyChunk bytes (then
// Output::more asks for resume()) or the job is done. The stored
// ENVELOPE/BODYSTRUCTURE/BODY forms are read kFormsBatch messages at a time,
// so neither the reply nor the metadata grows with the mailbox.
void Session::fetch_step(Output& out) {
  FetchJob& j = *fetch_job_;
  while (j.pos < j.idx.size()) {
    if (out.reply.size() >= kReplyChunk) {
      out.more = true;
      return;
    }
    if (j.want_forms && j.pos >= j.forms_start + j.forms.size()) {
      std::vector<int64_t> ids;
      for (size_t k = j.pos; k < j.idx.size() && ids.size() < kFormsBatch; ++k) {
        ids.push_back(msgs_[j.idx[k]].id);
      }
      auto f = mailstore_->fetch_forms(ids);
      if (!f) {
        std::string tag = j.tag;
        fetch_job_.reset();
        return store_failure(out, tag, f.error(), "");
      }
      j.forms = std::move(*f);
      j.forms_start = j.pos;
    }
    size_t i = j.idx[j.pos];
    bool set_seen = false;
    out.reply += fetch_one(i, j.atts, j.uid,
                           j.want_forms ? &j.forms[j.pos - j.forms_start] : nullptr, set_seen);
    if (set_seen && !read_only_ && !(msgs_[i].flags.bits & store::kFlagSeen)) {
      j.seen.push_back(msgs_[i].uid);
    }
    ++j.pos;
  }
  FetchJob done = std::move(j);
  fetch_job_.reset();
  if (!done.seen.empty()) {
    // RFC 9051 §6.4.5: fetching a body section sets \Seen.
    store::MessageFlags f;
    f.bits = store::kFlagSeen;
    auto r = mailstore_->store_flags(mailbox_->id, done.seen, store::FlagOp::kAdd, f, std::nullopt);
    if (r) {
      for (const auto& row : r->updated) {
        size_t i = index_of_uid(row.uid);
        if (i == msgs_.size()) continue;
        msgs_[i].flags = row.flags;
        msgs_[i].modseq = row.modseq;
        search_touched(row);
        out.reply += fetch_head(i) + "UID " + std::to_string(row.uid) + " FLAGS " +
                     flags_text(flag_names(row.flags, msgs_[i].recent)) +
                     (condstore_ ? " MODSEQ (" + std::to_string(row.modseq) + ")" : "") + ")\r\n";
      }
    }
  }
  if (expunge_issued_) {
    // RFC 9051 §7.1: another session expunged messages of the set.
    return respond(out, done.tag, Condition::kNo, "EXPUNGEISSUED",
                   "some of the requested messages no longer exist");
  }
  if (unknown_cte_) {
    // RFC 3516 §4.3: a part whose transfer encoding cannot be decoded.
    return respond(out, done.tag, Condition::kNo, "UNKNOWN-CTE",
                   "unknown content-transfer-encoding");
  }
  respond(out, done.tag, Condition::kOk, "", "fetch done");
}

void Session::cmd_store(imap::Command& c, Output& out) {
  auto& a = std::get<imap::StoreArgs>(c.args);
  if (read_only_) return respond(out, c.tag, Condition::kNo, "READ-ONLY", "mailbox is read-only");
  auto flags = store::parse_flags(a.flags);
  if (!flags) return bad(out, c.tag, flags.error().message);
  updates(out, c.uid);
  if (!c.uid && !seqs_valid(a.set)) return bad(out, c.tag, "Invalid messageset");
  std::vector<int64_t> uids;
  for (size_t i : resolve(a.set, c.uid)) uids.push_back(msgs_[i].uid);
  store::FlagOp op = a.mode == imap::StoreArgs::Mode::kAdd      ? store::FlagOp::kAdd
                     : a.mode == imap::StoreArgs::Mode::kRemove ? store::FlagOp::kRemove
                                                                : store::FlagOp::kReplace;
  std::optional<int64_t> since;
  if (a.unchanged_since) {
    enable_condstore(out);
    since = static_cast<int64_t>(*a.unchanged_since);
  }
  auto r = mailstore_->store_flags(mailbox_->id, uids, op, *flags, since);
  if (!r) return store_failure(out, c.tag, r.error(), "");
  for (const auto& row : r->updated) {
    size_t i = index_of_uid(row.uid);
    if (i == msgs_.size()) continue;
    msgs_[i].flags = row.flags;
    msgs_[i].modseq = row.modseq;
    search_touched(row);
    announce_keywords(out, row.flags);
    if (a.silent && !condstore_) continue;
    out.reply += fetch_head(i);
    // RFC 7162 §3.1: under CONDSTORE every FETCH response carries UID too.
    if (c.uid || condstore_) out.reply += "UID " + std::to_string(row.uid) + " ";
    if (!a.silent) out.reply += "FLAGS " + flags_text(flag_names(row.flags, msgs_[i].recent));
    if (condstore_)
      out.reply += std::string(a.silent ? "" : " ") + "MODSEQ (" + std::to_string(row.modseq) + ")";
    out.reply += ")\r\n";
  }
  std::string code;
  if (!r->modified.empty()) {
    std::vector<uint32_t> mod;
    for (int64_t uid : r->modified) {
      size_t i = index_of_uid(uid);
      if (i < msgs_.size())
        mod.push_back(static_cast<uint32_t>(c.uid ? uid : static_cast<int64_t>(i + 1)));
    }
    code = "MODIFIED " + imap::SequenceSet::from_numbers(mod).to_string();
  }
  respond(out, c.tag, Condition::kOk, code, "store done");
}

void Session::cmd_copy(imap::Command& c, Output& out) {
  bool move = c.verb == imap::Verb::kMove;
  auto& a = std::get<imap::CopyArgs>(c.args);
  if (move && read_only_)
    return respond(out, c.tag, Condition::kNo, "READ-ONLY", "mailbox is read-only");
  updates(out, c.uid);
  if (!c.uid && !seqs_valid(a.set)) return bad(out, c.tag, "Invalid messageset");
  std::vector<size_t> idx = resolve(a.set, c.uid);
  std::vector<int64_t> uids;
  for (size_t i : idx) uids.push_back(msgs_[i].uid);
  auto r = mailstore_->copy_messages(mailbox_->id, uids, a.mailbox, move,
                                     backend_.quota_message_size(account_));
  if (!r) return store_failure(out, c.tag, r.error(), "TRYCREATE");
  std::string code;
  if (!r->src_uids.empty()) {
    std::vector<uint32_t> s(r->src_uids.begin(), r->src_uids.end()),
        d(r->dest_uids.begin(), r->dest_uids.end());
    code = "COPYUID " + std::to_string(r->dest_uidvalidity) + " " +
           imap::SequenceSet::from_numbers(s).to_string() + " " +
           imap::SequenceSet::from_numbers(d).to_string();
  }
  if (!move) {
    updates(out, c.uid);  // a copy into the selected mailbox: EXISTS
    return respond(out, c.tag, Condition::kOk, code, "copy done");
  }
  // RFC 6851 §4.3: COPYUID in an untagged OK, then the expunges.
  if (!code.empty()) out.reply += "* OK [" + code + "] moved\r\n";
  report_expunged(out, r->src_uids);
  updates(out, true);  // a move into the selected mailbox: EXISTS
  respond(out, c.tag, Condition::kOk, "", "move done");
}

void Session::cmd_expunge(imap::Command& c, Output& out) {
  if (read_only_) return respond(out, c.tag, Condition::kNo, "READ-ONLY", "mailbox is read-only");
  auto& a = std::get<imap::ExpungeArgs>(c.args);
  std::optional<std::vector<int64_t>> only;
  if (a.uids) {
    only.emplace();
    for (size_t i : resolve(*a.uids, true)) only->push_back(msgs_[i].uid);
  }
  auto r = mailstore_->expunge(mailbox_->id, only);
  if (!r) return store_failure(out, c.tag, r.error(), "");
  report_expunged(out, *r);
  updates(out, true);
  respond(out, c.tag, Condition::kOk, "", "expunge done");
}

void Session::close_mailbox(bool expunge) {
  if (expunge && mailbox_ && mailstore_) (void)mailstore_->expunge(mailbox_->id, std::nullopt);
  mailbox_.reset();
  msgs_.clear();
  saved_.clear();
  search_updates_.reset();  // RFC 5267 §4.1: results end with the mailbox
  claims_.clear();
  keywords_.clear();
  if (state_ == State::kSelected) state_ = State::kAuthenticated;
}

}  // namespace mox::imapserver
