#include "imap/writer.h"

#include <strings.h>

#include <algorithm>

#include "imap/cursor.h"
#include "imap/utf7.h"
#include "util/utf8.h"

namespace mox::imap {
namespace {

void append_literal(std::string& out, std::string_view s, bool binary) {
  if (binary) out += '~';
  out += '{';
  out += std::to_string(s.size());
  out += "}\r\n";
  out += s;
}

void append_section(std::string& out, const Section& s) {
  for (size_t i = 0; i < s.part.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(s.part[i]);
  }
  const char* text = nullptr;
  switch (s.text) {
    case Section::Text::kNone:
      break;
    case Section::Text::kHeader:
      text = "HEADER";
      break;
    case Section::Text::kHeaderFields:
      text = "HEADER.FIELDS";
      break;
    case Section::Text::kHeaderFieldsNot:
      text = "HEADER.FIELDS.NOT";
      break;
    case Section::Text::kText:
      text = "TEXT";
      break;
    case Section::Text::kMime:
      text = "MIME";
      break;
  }
  if (text == nullptr) return;
  if (!s.part.empty()) out += '.';
  out += text;
  if (s.fields.empty()) return;
  out += " (";
  for (size_t i = 0; i < s.fields.size(); ++i) {
    if (i > 0) out += ' ';
    append_astring(out, s.fields[i], false);
  }
  out += ')';
}

}  // namespace

const char* condition_name(Condition c) {
  switch (c) {
    case Condition::kOk:
      return "OK";
    case Condition::kNo:
      return "NO";
    case Condition::kBad:
      return "BAD";
    case Condition::kPreauth:
      return "PREAUTH";
    case Condition::kBye:
      return "BYE";
  }
  return "BAD";
}

void append_astring(std::string& out, std::string_view s, bool utf8) {
  bool atom = !s.empty() && std::all_of(s.begin(), s.end(), internal::astring_char) &&
              !(s.size() == 3 && strncasecmp(s.data(), "NIL", 3) == 0);
  if (atom) {
    out += s;
  } else {
    append_string(out, s, utf8);
  }
}

void append_flag_list(std::string& out, const std::vector<std::string>& flags) {
  out += '(';
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out += ' ';
    out += flags[i];
  }
  out += ')';
}

void append_mailbox(std::string& out, std::string_view name, bool utf8) {
  if (name.size() >= 5 && strncasecmp(name.data(), "INBOX", 5) == 0 &&
      (name.size() == 5 || name[5] == '/')) {
    std::string n = "INBOX" + std::string(name.substr(5));
    append_astring(out, utf8 ? n : utf7_encode(n), utf8);
    return;
  }
  append_astring(out, utf8 ? std::string(name) : utf7_encode(name), utf8);
}

std::string sequence_set_string(std::vector<uint32_t> numbers) {
  return SequenceSet::from_numbers(std::move(numbers)).to_string();
}

std::string fetch_item_name(const FetchAtt& att) {
  std::string out;
  switch (att.kind) {
    case FetchAtt::Kind::kBodySection:
      out = "BODY[";
      break;
    case FetchAtt::Kind::kBinary:
      out = "BINARY[";
      break;
    case FetchAtt::Kind::kBinarySize:
      out = "BINARY.SIZE[";
      break;
    case FetchAtt::Kind::kEnvelope:
      return "ENVELOPE";
    case FetchAtt::Kind::kFlags:
      return "FLAGS";
    case FetchAtt::Kind::kInternalDate:
      return "INTERNALDATE";
    case FetchAtt::Kind::kRfc822Size:
      return "RFC822.SIZE";
    case FetchAtt::Kind::kBodyStructure:
      return "BODYSTRUCTURE";
    case FetchAtt::Kind::kBody:
      return "BODY";
    case FetchAtt::Kind::kUid:
      return "UID";
    case FetchAtt::Kind::kRfc822:
      return "RFC822";
    case FetchAtt::Kind::kRfc822Header:
      return "RFC822.HEADER";
    case FetchAtt::Kind::kRfc822Text:
      return "RFC822.TEXT";
    case FetchAtt::Kind::kModSeq:
      return "MODSEQ";
    case FetchAtt::Kind::kSaveDate:
      return "SAVEDATE";
    case FetchAtt::Kind::kPreview:
      return "PREVIEW";
  }
  append_section(out, att.section);
  out += ']';
  if (att.partial_offset) out += "<" + std::to_string(*att.partial_offset) + ">";
  return out;
}

std::string response_text(std::string_view text) {
  std::string out = sanitize_utf8(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

void ResponseWriter::space() {
  if (need_space_) out_ += ' ';
  need_space_ = true;
}

ResponseWriter& ResponseWriter::untagged() {
  out_ += '*';
  need_space_ = true;
  return *this;
}

ResponseWriter& ResponseWriter::tagged(std::string_view tag) {
  out_ += tag;
  need_space_ = true;
  return *this;
}

ResponseWriter& ResponseWriter::continuation() {
  out_ += '+';
  need_space_ = true;
  return *this;
}

ResponseWriter& ResponseWriter::atom(std::string_view a) {
  space();
  out_ += a;
  return *this;
}

ResponseWriter& ResponseWriter::number(uint64_t n) { return atom(std::to_string(n)); }

ResponseWriter& ResponseWriter::string(std::string_view s) {
  space();
  append_string(out_, s, utf8_);
  return *this;
}

ResponseWriter& ResponseWriter::astring(std::string_view s) {
  space();
  append_astring(out_, s, utf8_);
  return *this;
}

ResponseWriter& ResponseWriter::nstring(const std::optional<std::string>& s) {
  space();
  append_nstring(out_, s, utf8_);
  return *this;
}

ResponseWriter& ResponseWriter::nil() { return atom("NIL"); }

ResponseWriter& ResponseWriter::mailbox(std::string_view name) {
  space();
  append_mailbox(out_, name, utf8_);
  return *this;
}

ResponseWriter& ResponseWriter::flags(const std::vector<std::string>& f) {
  space();
  append_flag_list(out_, f);
  return *this;
}

ResponseWriter& ResponseWriter::literal(std::string_view bytes) {
  space();
  append_literal(out_, bytes, false);
  return *this;
}

ResponseWriter& ResponseWriter::literal8(std::string_view bytes) {
  space();
  append_literal(out_, bytes, true);
  return *this;
}

ResponseWriter& ResponseWriter::open() {
  space();
  out_ += '(';
  need_space_ = false;
  return *this;
}

ResponseWriter& ResponseWriter::close() {
  out_ += ')';
  need_space_ = true;
  return *this;
}

ResponseWriter& ResponseWriter::status(Condition c, std::string_view code, std::string_view text) {
  atom(condition_name(c));
  if (!code.empty()) {
    space();
    out_ += '[';
    out_ += response_text(code);
    out_ += ']';
  }
  return this->text(text);
}

ResponseWriter& ResponseWriter::text(std::string_view t) {
  // resp-text = ["[" resp-text-code "]" SP] [text]: the text may be empty,
  // but some clients want something after the status; "done" is neutral.
  space();
  std::string clean = response_text(t);
  out_ += clean.empty() ? "done" : clean;
  return *this;
}

ResponseWriter& ResponseWriter::end() {
  out_ += "\r\n";
  need_space_ = false;
  return *this;
}

std::string ResponseWriter::take() {
  std::string s = std::move(out_);
  out_.clear();
  need_space_ = false;
  return s;
}

std::string status_line(std::string_view tag, Condition c, std::string_view code,
                        std::string_view text) {
  ResponseWriter w;
  if (tag.empty()) {
    w.untagged();
  } else {
    w.tagged(tag);
  }
  return w.status(c, code, text).end().take();
}

}  // namespace mox::imap
