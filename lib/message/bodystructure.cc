#include "message/decode.h"
#include "message/fetch.h"

namespace mox::message {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// body-fld-param = "(" string SP string *(SP string SP string) ")" / nil.
// An RFC 2231 extended parameter keeps its "*" and encoded form, as Dovecot
// sends it; clients that know RFC 2231 decode it.
std::string params(const std::vector<MimeParam>& ps) {
  if (ps.empty()) return "NIL";
  std::string out = "(";
  for (const MimeParam& p : ps) {
    if (out.size() > 1) out += ' ';
    out += imap_string(upper(p.name) + (p.extended ? "*" : ""));
    out += ' ';
    out += imap_string(param_wire_value(p));
  }
  return out + ")";
}

// body-fld-enc: the five known mechanisms quoted, others as a string.
std::string encoding(std::string_view e) {
  if (known_transfer_encoding(e)) return "\"" + upper(e) + "\"";
  return imap_string(e);
}

// body-fld-dsp = "(" string SP body-fld-param ")" / nil.
std::string disposition(const std::optional<ContentDisposition>& d) {
  if (!d) return "NIL";
  return "(" + imap_string(upper(d->type)) + " " + params(d->params) + ")";
}

// body-fld-lang = nstring / "(" string *(SP string) ")".
std::string languages(const std::vector<std::string>& langs) {
  if (langs.empty()) return "NIL";
  if (langs.size() == 1) return imap_string(langs[0]);
  std::string out = "(";
  for (const std::string& l : langs) {
    if (out.size() > 1) out += ' ';
    out += imap_string(l);
  }
  return out + ")";
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc: the tail of both kinds of
// extension data (body-ext-1part, body-ext-mpart).
std::string ext_tail(const Part& p) {
  return disposition(p.disposition) + " " + languages(p.languages) + " " + imap_nstring(p.location);
}

// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
// body-fld-enc SP body-fld-octets.
std::string body_fields(const Part& p) {
  return params(p.content_type.params) + " " + imap_nstring(p.content_id) + " " +
         imap_nstring(p.description) + " " + encoding(p.encoding) + " " +
         std::to_string(p.body_size);
}

// The body a multipart without parts is given (Dovecot's EMPTY_BODYSTRUCTURE).
std::string empty_text(bool extended) {
  std::string out = "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0";
  if (extended) out += " NIL NIL NIL NIL";
  return out + ")";
}

std::string multipart(const Part& p, bool extended);

// body-type-1part = (body-type-basic / body-type-msg / body-type-text)
// [SP body-ext-1part].
std::string single(const Part& p, bool extended) {
  std::string out = "(" + imap_string(upper(p.content_type.type)) + " " +
                    imap_string(upper(p.content_type.subtype)) + " " + body_fields(p);
  if (p.is_encapsulating()) {
    // body-type-msg: envelope, body and lines of the encapsulated message.
    const Part& m = p.parts[0];
    out +=
        " " + envelope(m) + " " + bodystructure(m, extended) + " " + std::to_string(p.body_lines);
  } else if (p.content_type.type == "text") {
    out += " " + std::to_string(p.body_lines);  // body-type-text
  }
  if (extended) out += " " + imap_nstring(p.md5) + " " + ext_tail(p);
  return out + ")";
}

// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart].
std::string multipart(const Part& p, bool extended) {
  std::string out = "(";
  if (p.parts.empty()) out += empty_text(extended);
  for (const Part& c : p.parts) out += bodystructure(c, extended);
  out += " " + imap_string(upper(p.content_type.subtype));
  if (extended) out += " " + params(p.content_type.params) + " " + ext_tail(p);
  return out + ")";
}

}  // namespace

std::string bodystructure(const Part& part, bool extended) {
  return part.is_multipart() ? multipart(part, extended) : single(part, extended);
}

}  // namespace mox::message
