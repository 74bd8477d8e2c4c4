// FETCH arguments (RFC 9051 §6.4.5; RFC 3501 §6.4.5 for RFC822*; BINARY
// RFC 3516 §4.2; CONDSTORE/QRESYNC RFC 7162 §3.1.4.1, §3.2.6; SAVEDATE
// RFC 8514 §4.3; PREVIEW RFC 8970 §3).
#include <strings.h>

#include "imap/parse_internal.h"

namespace mox::imap::internal {
namespace {

bool name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
}

bool digit(char c) { return c >= '0' && c <= '9'; }

// RFC 5322 §3.6.8 field-name = 1*ftext; ftext = %d33-57 / %d59-126.
bool valid_field_name(std::string_view f) {
  if (f.empty()) return false;
  for (char ch : f) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 33 || c > 126 || c == ':') return false;
  }
  return true;
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")"; header-fld-name = astring.
Status header_list(Cursor& c, std::vector<std::string>& out) {
  MOX_TRY(c.sp());
  MOX_TRY(c.expect('('));
  do {
    MOX_ASSIGN(std::string f, c.astring());
    if (!valid_field_name(f)) return syntax_error("invalid header field name in HEADER.FIELDS");
    out.push_back(std::move(f));
  } while (c.take(' '));
  return c.expect(')');
}

// section-part = nz-number *("." nz-number); stops before "." + non-digit.
Status section_part(Cursor& c, std::vector<uint32_t>& part) {
  MOX_ASSIGN(uint32_t n, c.nz_number());
  part.push_back(n);
  while (c.rest().size() >= 2 && c.rest()[0] == '.' && digit(c.rest()[1])) {
    c.take('.');
    MOX_ASSIGN(n, c.nz_number());
    part.push_back(n);
  }
  return {};
}

// section = "[" [section-spec] "]"; section-spec = section-msgtext /
// (section-part ["." section-text]); section-text = section-msgtext / "MIME".
Result<Section> section(Cursor& c) {
  Section s;
  MOX_TRY(c.expect('['));
  if (c.take(']')) return s;
  if (digit(c.peek())) {
    MOX_TRY(section_part(c, s.part));
    if (c.take(']')) return s;
    MOX_TRY(c.expect('.'));
  }
  std::string text = upper(c.take_while([](char ch) { return name_char(ch); }));
  if (text == "HEADER") {
    s.text = Section::Text::kHeader;
  } else if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
    s.text =
        text == "HEADER.FIELDS" ? Section::Text::kHeaderFields : Section::Text::kHeaderFieldsNot;
    MOX_TRY(header_list(c, s.fields));
  } else if (text == "TEXT") {
    s.text = Section::Text::kText;
  } else if (text == "MIME" && !s.part.empty()) {
    s.text = Section::Text::kMime;
  } else {
    return c.error("invalid section, expected e.g. HEADER, TEXT, 1.2.MIME");
  }
  MOX_TRY(c.expect(']'));
  return s;
}

// section-binary = "[" [section-part] "]" (RFC 3516 §4.2).
Result<Section> section_binary(Cursor& c) {
  Section s;
  MOX_TRY(c.expect('['));
  if (c.take(']')) return s;
  MOX_TRY(section_part(c, s.part));
  MOX_TRY(c.expect(']'));
  return s;
}

// partial = "<" number64 "." nz-number64 ">" (RFC 9051 §9).
Status partial(Cursor& c, FetchAtt& a) {
  if (!c.take('<')) return {};
  MOX_ASSIGN(uint64_t offset, c.number64());
  MOX_TRY(c.expect('.'));
  MOX_ASSIGN(uint64_t count, c.number64());
  if (count == 0) return syntax_error("partial <offset.count> needs a count above 0");
  MOX_TRY(c.expect('>'));
  a.partial_offset = offset;
  a.partial_count = count;
  return {};
}

struct SimpleAtt {
  const char* name;
  FetchAtt::Kind kind;
};
constexpr SimpleAtt kSimple[] = {
    {"ENVELOPE", FetchAtt::Kind::kEnvelope},
    {"FLAGS", FetchAtt::Kind::kFlags},
    {"INTERNALDATE", FetchAtt::Kind::kInternalDate},
    {"RFC822.SIZE", FetchAtt::Kind::kRfc822Size},
    {"BODYSTRUCTURE", FetchAtt::Kind::kBodyStructure},
    {"UID", FetchAtt::Kind::kUid},
    {"RFC822", FetchAtt::Kind::kRfc822},
    {"RFC822.HEADER", FetchAtt::Kind::kRfc822Header},
    {"RFC822.TEXT", FetchAtt::Kind::kRfc822Text},
    {"MODSEQ", FetchAtt::Kind::kModSeq},
    {"SAVEDATE", FetchAtt::Kind::kSaveDate},
};

// PREVIEW [SP "(" preview-mod *(SP preview-mod) ")"]; preview-mod = "LAZY"
// (RFC 8970 §7). Looks ahead so that " (CHANGEDSINCE" stays a modifier.
Status preview_mods(Cursor& c, FetchAtt& a) {
  std::string_view r = c.rest();
  if (r.size() < 6 || strncasecmp(r.data(), " (LAZY", 6) != 0) return {};
  c.take(' ');
  c.take('(');
  do {
    if (!c.take_word("LAZY")) return c.error("unknown PREVIEW modifier");
    a.preview_lazy = true;
  } while (c.take(' '));
  return c.expect(')');
}

Result<FetchAtt> fetch_att(Cursor& c) {
  FetchAtt a;
  std::string name = upper(c.take_while([](char ch) { return name_char(ch); }));
  for (const SimpleAtt& s : kSimple) {
    if (name == s.name) {
      a.kind = s.kind;
      return a;
    }
  }
  if (name == "BODY" && c.peek() != '[') {
    a.kind = FetchAtt::Kind::kBody;
  } else if (name == "BODY" || name == "BODY.PEEK") {
    a.kind = FetchAtt::Kind::kBodySection;
    a.peek = name == "BODY.PEEK";
    MOX_ASSIGN(a.section, section(c));
    MOX_TRY(partial(c, a));
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    a.kind = FetchAtt::Kind::kBinary;
    a.peek = name == "BINARY.PEEK";
    MOX_ASSIGN(a.section, section_binary(c));
    MOX_TRY(partial(c, a));
  } else if (name == "BINARY.SIZE") {
    a.kind = FetchAtt::Kind::kBinarySize;
    MOX_ASSIGN(a.section, section_binary(c));
  } else if (name == "PREVIEW") {
    a.kind = FetchAtt::Kind::kPreview;
    MOX_TRY(preview_mods(c, a));
  } else {
    if (name.empty()) return c.error("expected a FETCH data item");
    return syntax_error("unknown FETCH data item " + name);
  }
  return a;
}

// The macros of RFC 9051 §6.4.5.
bool macro(std::string_view name, std::vector<FetchAtt>& atts) {
  using K = FetchAtt::Kind;
  auto add = [&atts](std::initializer_list<K> kinds) {
    for (K k : kinds) {
      FetchAtt a;
      a.kind = k;
      atts.push_back(a);
    }
  };
  if (name == "ALL") {
    add({K::kFlags, K::kInternalDate, K::kRfc822Size, K::kEnvelope});
  } else if (name == "FAST") {
    add({K::kFlags, K::kInternalDate, K::kRfc822Size});
  } else if (name == "FULL") {
    add({K::kFlags, K::kInternalDate, K::kRfc822Size, K::kEnvelope, K::kBody});
  } else {
    return false;
  }
  return true;
}

// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")";
// "CHANGEDSINCE" SP mod-sequence-value / "VANISHED" (RFC 7162 §3.1.4.1, §3.2.6).
Status modifiers(Cursor& c, FetchArgs& a, bool uid) {
  MOX_TRY(c.expect('('));
  do {
    if (c.take_word("CHANGEDSINCE")) {
      MOX_TRY(c.sp());
      MOX_ASSIGN(uint64_t m, c.number64());
      a.changed_since = m;
    } else if (c.take_word("VANISHED")) {
      a.vanished = true;
    } else {
      return c.error("unknown FETCH modifier");
    }
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
  if (a.vanished && !uid) return syntax_error("VANISHED is only allowed with UID FETCH");
  if (a.vanished && !a.changed_since) return syntax_error("VANISHED needs CHANGEDSINCE");
  return {};
}

}  // namespace

// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
//         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers].
Result<Args> parse_fetch(Cursor& c, const ParseOptions&, bool uid) {
  FetchArgs a;
  MOX_TRY(c.sp());
  MOX_ASSIGN(a.set, c.sequence_set());
  MOX_TRY(c.sp());
  if (c.take('(')) {
    do {
      MOX_ASSIGN(FetchAtt att, fetch_att(c));
      a.atts.push_back(std::move(att));
    } while (c.take(' '));
    MOX_TRY(c.expect(')'));
  } else {
    std::string_view r = c.rest();
    std::string word = upper(r.substr(0, std::min(r.find(' '), r.size())));
    if (macro(word, a.atts)) {
      c.take_word(word);
    } else {
      MOX_ASSIGN(FetchAtt att, fetch_att(c));
      a.atts.push_back(std::move(att));
    }
  }
  if (c.take(' ')) MOX_TRY(modifiers(c, a, uid));
  return Args(std::move(a));
}

Result<std::vector<FetchAtt>> fetch_att_list(Cursor& c) {
  std::vector<FetchAtt> atts;
  MOX_TRY(c.expect('('));
  do {
    MOX_ASSIGN(FetchAtt att, fetch_att(c));
    atts.push_back(std::move(att));
  } while (c.take(' '));
  MOX_TRY(c.expect(')'));
  return atts;
}

}  // namespace mox::imap::internal
