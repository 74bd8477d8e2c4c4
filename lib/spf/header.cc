#include "spf/header.h"

#include <cctype>
#include <vector>

#include "util/split.h"

namespace mox::spf {
namespace {

// RFC 5322 §3.2.3 atext.
bool is_atext(char c) {
  auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '.' ? v[i + 1] == '.' : !is_atext(v[i])) return false;
  }
  return true;
}

// Printable ASCII only: other bytes become "?" (header fields are ASCII
// here; RFC 5322 §2.2).
std::string printable(std::string_view v) {
  std::string out;
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u <= 0x7e) ? c : '?';
  }
  return out;
}

// A value as dot-atom or quoted-string (RFC 7208 §9.1 key-value-pair).
std::string value(std::string_view v) {
  std::string p = printable(v);
  if (is_dot_atom(p)) return p;
  std::string out = "\"";
  for (char c : p) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// ctext has no parentheses or backslashes unquoted (RFC 5322 §3.2.2).
std::string comment_text(std::string_view v) {
  std::string out;
  for (char c : printable(v)) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Joins words with spaces, breaking lines before 78 columns with CRLF TAB
// (RFC 5322 §2.1.1). A word is never split.
std::string fold(const std::vector<std::string>& words) {
  std::string out;
  size_t col = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0 && col + 1 + words[i].size() > 78) {
      out += "\r\n\t";
      col = 8;
    } else if (i > 0) {
      out += ' ';
      ++col;
    }
    out += words[i];
    col += words[i].size();
  }
  return out + "\r\n";
}

}  // namespace

std::string result_comment(const Received& r, const Query& q) {
  std::string who = "domain of " + r.sender;
  std::string c = q.receiver.empty() ? "" : q.receiver + ": ";
  switch (r.status) {
    case Status::kPass:
      return c + who + " designates " + q.ip + " as permitted sender";
    case Status::kFail:
      return c + who + " does not designate " + q.ip + " as permitted sender";
    case Status::kSoftfail:
      return c + "transitioning " + who + " does not designate " + q.ip + " as permitted sender";
    case Status::kNeutral:
      return c + q.ip + " is neither permitted nor denied by " + who;
    case Status::kNone:
      return c + who + " does not designate permitted sender hosts";
    case Status::kTemperror:
      return c + "error in processing during lookup of " + r.sender;
    case Status::kPermerror:
      return c + "permanent error in processing " + who;
  }
  return c;
}

std::string received_spf_header(const Received& r, const Query& q) {
  std::vector<std::string> words = {"Received-SPF:", std::string(status_name(r.status))};
  std::vector<std::string> comment = split_nonempty(comment_text(result_comment(r, q)), ' ');
  if (!comment.empty()) {
    comment.front() = "(" + comment.front();
    comment.back() += ")";
    words.insert(words.end(), comment.begin(), comment.end());
  }
  std::vector<std::pair<std::string, std::string>> kv = {
      {"client-ip", q.ip}, {"envelope-from", q.mail_from}, {"helo", q.helo}};
  if (r.status == Status::kTemperror || r.status == Status::kPermerror)
    kv.emplace_back("problem", r.problem);
  if (!r.mechanism.empty()) kv.emplace_back("mechanism", r.mechanism);
  if (!q.receiver.empty()) kv.emplace_back("receiver", q.receiver);
  kv.emplace_back("identity", r.identity);
  for (size_t i = 0; i < kv.size(); ++i) {
    words.push_back(kv[i].first + "=" + value(kv[i].second) + (i + 1 < kv.size() ? ";" : ""));
  }
  return fold(words);
}

}  // namespace mox::spf
