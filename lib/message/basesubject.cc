// RFC 5256 §2.1 steps (1)-(6), over the grammar of RFC 5256 §5:
//   subj-trailer = "(fwd)" / WSP
//   subj-leader  = (*subj-blob subj-refwd) / WSP
//   subj-refwd   = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//   subj-blob    = "[" *BLOBCHAR "]" *WSP
//   subj-fwd     = "[fwd:" subject "]"
// all matched case-insensitively.
#include "message/basesubject.h"

#include <strings.h>

#include "message/rfc2047.h"

namespace mox::message {
namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         strncasecmp(s.data() + s.size() - suffix.size(), suffix.data(), suffix.size()) == 0;
}

size_t skip_wsp(std::string_view s, size_t i) {
  while (i < s.size() && wsp(s[i])) ++i;
  return i;
}

// Step (1): encoded-words decoded, tabs and line ends made spaces, runs of
// spaces made one.
std::string normalized(std::string_view subject) {
  std::string decoded = decode_encoded_words(subject);
  std::string out;
  out.reserve(decoded.size());
  for (char c : decoded) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += c;
  }
  return out;
}

// The length of the subj-blob at s[i], its trailing WSP included; 0 if none.
size_t blob_at(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '[') return 0;
  size_t j = i + 1;
  while (j < s.size() && s[j] != '[' && s[j] != ']') ++j;
  if (j >= s.size() || s[j] != ']') return 0;
  return skip_wsp(s, j + 1) - i;
}

// The length of the subj-leader "*subj-blob subj-refwd" at the start of
// `s`; 0 if none.
size_t refwd_leader(std::string_view s) {
  size_t i = 0;
  for (size_t n; (n = blob_at(s, i)) > 0;) i += n;
  std::string_view rest = s.substr(i);
  if (starts_with_ci(rest, "re")) {
    i += 2;
  } else if (starts_with_ci(rest, "fwd")) {
    i += 3;
  } else if (starts_with_ci(rest, "fw")) {
    i += 2;
  } else {
    return 0;
  }
  i = skip_wsp(s, i);
  i += blob_at(s, i);
  if (i >= s.size() || s[i] != ':') return 0;
  return i + 1;
}

// Step (2): subj-trailer removed from the end, as often as it matches.
void strip_trailers(std::string& s, bool& refwd) {
  while (!s.empty()) {
    if (wsp(s.back())) {
      s.pop_back();
    } else if (ends_with_ci(s, "(fwd)")) {
      s.resize(s.size() - 5);
      refwd = true;
    } else {
      return;
    }
  }
}

// Steps (3)-(5): subj-leader and subj-blob prefixes removed until neither
// matches; a blob only when something other than white space follows it.
void strip_leaders(std::string& s, bool& refwd) {
  while (true) {
    if (!s.empty() && wsp(s[0])) {
      s.erase(0, 1);
      continue;
    }
    if (size_t n = refwd_leader(s); n > 0) {
      s.erase(0, n);
      refwd = true;
      continue;
    }
    size_t n = blob_at(s, 0);
    if (n > 0 && skip_wsp(s, n) < s.size()) {
      s.erase(0, n);
      continue;
    }
    return;
  }
}

}  // namespace

BaseSubject base_subject(std::string_view subject) {
  BaseSubject b;
  std::string s = normalized(subject);
  while (true) {
    strip_trailers(s, b.reply_or_forward);
    strip_leaders(s, b.reply_or_forward);
    // Step (6): "[fwd: ...]" around the whole, then again from step (2).
    if (s.size() >= 6 && starts_with_ci(s, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      b.reply_or_forward = true;
      continue;
    }
    break;
  }
  b.text = std::move(s);
  return b;
}

std::string ascii_casemap_key(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace mox::message
