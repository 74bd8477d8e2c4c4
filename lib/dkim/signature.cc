#include "dkim/signature.h"

#include <cctype>
#include <cstdio>

#include "dkim/tags.h"
#include "message/header.h"
#include "smtp/address.h"
#include "util/ascii.h"
#include "util/encoding.h"

namespace mox::dkim {
namespace {

Error bad(const std::string& what) { return syntax_error(what); }

// 1*12DIGIT for t= and x=, 1*76DIGIT for l= (§3.5), kept to what fits.
std::optional<uint64_t> parse_digits(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

Status parse_algorithm(std::string_view a, Signature& sig) {
  std::string v = ascii_lower(a);
  if (v == "rsa-sha256") {
    sig.key_algorithm = KeyAlgorithm::kRsa;
    sig.hash = Hash::kSha256;
  } else if (v == "rsa-sha1") {
    sig.key_algorithm = KeyAlgorithm::kRsa;
    sig.hash = Hash::kSha1;
  } else if (v == "ed25519-sha256") {  // RFC 8463 §3
    sig.key_algorithm = KeyAlgorithm::kEd25519;
    sig.hash = Hash::kSha256;
  } else {
    return bad("unknown signature algorithm a=" + std::string(a));
  }
  return {};
}

// c= header-canon ["/" body-canon]; body defaults to simple (§3.5).
Status parse_canon(std::string_view c, Signature& sig) {
  std::string v = ascii_lower(c);
  size_t slash = v.find('/');
  std::string h = v.substr(0, slash);
  std::string b = slash == std::string::npos ? "simple" : v.substr(slash + 1);
  auto known = [](const std::string& s) { return s == "simple" || s == "relaxed"; };
  if (!known(h) || !known(b)) return bad("unknown canonicalization c=" + std::string(c));
  sig.header_relaxed = h == "relaxed";
  sig.body_relaxed = b == "relaxed";
  return {};
}

// d= and the domain of i= must be valid names; i= must be d= or below it.
Status parse_identity(std::string_view i, Signature& sig) {
  MOX_ASSIGN(std::string id, dkim_qp_decode(i));
  size_t at = id.rfind('@');
  if (at == std::string::npos) return bad("i= without \"@\"");
  auto dom = smtp::Domain::parse(id.substr(at + 1));
  if (!dom) return bad("bad domain in i=: " + dom.error().message);
  const std::string& d = dom->str();
  if (d != sig.domain && !d.ends_with("." + sig.domain)) {
    return bad("i= domain " + d + " is not d= " + sig.domain + " or a subdomain of it");
  }
  sig.identity = id;
  return {};
}

Status parse_timestamps(const std::vector<Tag>& tags, Signature& sig) {
  if (const Tag* t = find_tag(tags, "t")) {
    auto v = parse_digits(t->value, 12);
    if (!v) return bad("bad t= timestamp");
    sig.sign_time = static_cast<int64_t>(*v);
  }
  if (const Tag* x = find_tag(tags, "x")) {
    auto v = parse_digits(x->value, 12);
    if (!v) return bad("bad x= timestamp");
    sig.expire_time = static_cast<int64_t>(*v);
    if (sig.sign_time && *sig.expire_time <= *sig.sign_time) return bad("x= is not after t=");
  }
  if (const Tag* l = find_tag(tags, "l")) {
    auto v = parse_digits(l->value, 76);
    if (!v) return bad("bad l= body length");
    sig.length = *v;
  }
  return {};
}

Status parse_headers_tag(std::string_view h, Signature& sig) {
  bool from = false;
  for (std::string& n : split_colon_list(h)) {
    if (!message::valid_field_name(n)) return bad("bad header field name in h=");
    from = from || ascii_lower(n) == "from";
    sig.signed_headers.push_back(std::move(n));
  }
  // §5.4: the From field MUST be signed.
  if (!from) return bad("h= does not include From");
  return {};
}

}  // namespace

std::string_view key_algorithm_name(KeyAlgorithm k) {
  return k == KeyAlgorithm::kRsa ? "rsa" : "ed25519";
}
std::string_view hash_name(Hash h) { return h == Hash::kSha1 ? "sha1" : "sha256"; }

Result<Selector> Selector::parse(std::string_view s) {
  if (s.empty() || s.size() > 253) return syntax_error("selector must be 1 to 253 characters");
  std::string out = ascii_lower(s);
  size_t label_start = 0;
  for (size_t i = 0; i <= out.size(); ++i) {
    if (i < out.size() && out[i] != '.') {
      char c = out[i];
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return syntax_error("selector \"" + std::string(s) +
                            "\": letters, digits, hyphens and dots only");
      }
      continue;
    }
    std::string_view label = std::string_view(out).substr(label_start, i - label_start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return syntax_error("selector \"" + std::string(s) + "\": bad label");
    }
    label_start = i + 1;
  }
  return Selector(std::move(out));
}

Result<Signature> parse_signature(std::string_view raw_value) {
  MOX_ASSIGN(std::vector<Tag> tags, parse_tag_list(raw_value));
  for (const char* req : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (!find_tag(tags, req)) return bad(std::string("missing required tag ") + req + "=");
  }
  if (find_tag(tags, "v")->value != "1")
    return bad("unsupported version v=" + find_tag(tags, "v")->value);
  Signature sig;
  MOX_TRY(parse_algorithm(find_tag(tags, "a")->value, sig));
  auto b = base64_decode(strip_ws(find_tag(tags, "b")->value));
  if (!b || b->empty()) return bad("bad base64 in b=");
  sig.signature = std::move(b).value();
  auto bh = base64_decode(strip_ws(find_tag(tags, "bh")->value));
  if (!bh || bh->empty()) return bad("bad base64 in bh=");
  sig.body_hash = std::move(bh).value();
  if (const Tag* c = find_tag(tags, "c")) MOX_TRY(parse_canon(c->value, sig));
  auto d = smtp::Domain::parse(find_tag(tags, "d")->value);
  if (!d) return bad("bad domain in d=: " + d.error().message);
  sig.domain = d->str();
  auto s = Selector::parse(find_tag(tags, "s")->value);
  if (!s) return bad("bad s=: " + s.error().message);
  sig.selector = s->str();
  MOX_TRY(parse_headers_tag(find_tag(tags, "h")->value, sig));
  if (const Tag* i = find_tag(tags, "i")) MOX_TRY(parse_identity(i->value, sig));
  if (const Tag* q = find_tag(tags, "q")) {
    bool dnstxt = false;
    for (const std::string& m : split_colon_list(q->value))
      dnstxt = dnstxt || ascii_lower(m) == "dns/txt";
    if (!dnstxt) return bad("q= does not include dns/txt");
  }
  MOX_TRY(parse_timestamps(tags, sig));
  return sig;
}

Result<std::string> without_b_value(std::string_view raw_field) {
  size_t colon = raw_field.find(':');
  if (colon == std::string_view::npos) return syntax_error("header field without colon");
  std::string_view value = raw_field.substr(colon + 1);
  MOX_ASSIGN(std::vector<Tag> tags, parse_tag_list(value));
  const Tag* b = find_tag(tags, "b");
  if (!b) return syntax_error("missing required tag b=");
  size_t from = colon + 1 + b->eq + 1, to = colon + 1 + b->end;
  std::string out(raw_field.substr(0, from));
  out.append(raw_field.substr(to));
  return out;
}

std::string dkim_qp_encode(std::string_view s) {
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x21 && c <= 0x7e && c != ';' && c != '=') {
      out += ch;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "=%02X", c);
      out += buf;
    }
  }
  return out;
}

Result<std::string> dkim_qp_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;  // FWS is ignored (§2.11)
    if (c != '=') {
      out += c;
      continue;
    }
    auto hex = [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; };
    if (i + 2 >= s.size() || !hex(s[i + 1]) || !hex(s[i + 2]))
      return syntax_error("bad =XX escape");
    out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

}  // namespace mox::dkim
