#include "dkim/canon.h"

#include <cctype>
#include <cstring>

namespace mox::dkim {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string simple_header(std::string_view raw_field) {
  std::string out(raw_field);
  if (!out.ends_with("\r\n")) {
    if (out.ends_with("\n")) out.pop_back();  // bare LF line end: make it CRLF
    out += "\r\n";
  }
  return out;
}

std::string relaxed_header(std::string_view name, std::string_view raw_value) {
  std::string out;
  out.reserve(name.size() + raw_value.size() + 1);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  for (char c : name) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out += ':';
  bool wsp = false;
  bool started = false;
  for (char c : raw_value) {
    if (c == '\r' || c == '\n') continue;  // unfold (RFC 5322 §2.2.3)
    if (is_wsp(c)) {
      wsp = true;
      continue;
    }
    if (wsp && started) out += ' ';
    wsp = false;
    started = true;
    out += c;
  }
  return out;
}

void BodyCanonicalizer::content(std::string_view run, std::string& out) {
  for (; empty_lines_ > 0; --empty_lines_) out += "\r\n";
  if (wsp_) {
    out += ' ';
    wsp_ = false;
  }
  out.append(run);
  in_line_ = true;
  emitted_ = true;
}

void BodyCanonicalizer::line_end(std::string& out) {
  wsp_ = false;  // relaxed: WSP at the end of a line is dropped
  if (in_line_) {
    out += "\r\n";
    in_line_ = false;
  } else {
    ++empty_lines_;  // maybe trailing: held back
  }
}

void BodyCanonicalizer::update(std::string_view chunk, std::string& out) {
  out.reserve(out.size() + chunk.size() + 2);
  size_t i = 0;
  while (i < chunk.size()) {
    char c = chunk[i];
    if (cr_) {
      cr_ = false;
      if (c == '\n') {
        line_end(out);
        ++i;
        continue;
      }
      content("\r", out);  // a bare CR is content
    }
    if (c == '\r') {
      cr_ = true;
      ++i;
    } else if (relaxed_ && is_wsp(c)) {
      wsp_ = true;  // §3.4.4 a: runs of WSP become one SP, trailing WSP goes
      ++i;
    } else {
      // A run of octets that are content as they are, up to the next CR
      // (simple) or WSP that relaxed changes, appended at once: appending
      // octet by octet made the body hash several times slower than the
      // SHA-256 over it.
      size_t j = i + 1;
      if (relaxed_) {
        // A single SP between content octets stays as it is (§3.4.4 a), so
        // it does not end the run; runs of WSP and WSP before CR do.
        while (j < chunk.size() && chunk[j] != '\r' && chunk[j] != '\t') {
          if (chunk[j] == ' ') {
            if (j + 1 >= chunk.size() || is_wsp(chunk[j + 1]) || chunk[j + 1] == '\r') break;
            ++j;
          }
          ++j;
        }
      } else {
        const void* cr = std::memchr(chunk.data() + j, '\r', chunk.size() - j);
        j = cr ? static_cast<size_t>(static_cast<const char*>(cr) - chunk.data()) : chunk.size();
      }
      content(chunk.substr(i, j - i), out);
      i = j;
    }
  }
}

void BodyCanonicalizer::finish(std::string& out) {
  if (cr_) {
    cr_ = false;
    content("\r", out);
  }
  if (in_line_) {
    out += "\r\n";  // a last line without CRLF gets one
    in_line_ = false;
  } else if (!relaxed_ && !emitted_) {
    out += "\r\n";  // §3.4.3: an empty body is one CRLF
  }
  empty_lines_ = 0;
}

std::string canonical_body(std::string_view body, bool relaxed) {
  BodyCanonicalizer c(relaxed);
  std::string out;
  c.update(body, out);
  c.finish(out);
  return out;
}

}  // namespace mox::dkim
