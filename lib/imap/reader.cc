#include "imap/reader.h"

#include <strings.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace mox::imap {
namespace {

constexpr uint64_t kMaxNumber64 = 9223372036854775807ull;  // RFC 9051 §9 number64
constexpr uint64_t kLiteralMinusMax = 4096;                // RFC 7888 §4
constexpr size_t kTailKeep = 40;  // longer than any announcement: "~{" 19 digits "+}"
constexpr size_t kMaxReserve = 1 << 20;

// RFC 9051 §9: ATOM-CHAR is any CHAR except atom-specials; ASTRING-CHAR adds "]".
bool astring_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;
  return c != '(' && c != ')' && c != '{' && c != '%' && c != '*' && c != '"' && c != '\\';
}

[[noreturn]] void misuse(const char* what) {
  std::fprintf(stderr, "imap::Reader: %s\n", what);
  std::abort();
}

}  // namespace

LiteralMarker find_literal_marker(std::string_view line) {
  LiteralMarker m;
  if (line.empty() || line.back() != '}') return m;
  size_t end = line.size() - 1;  // index of "}"
  bool nonsync = end > 0 && line[end - 1] == '+';
  size_t digits_end = nonsync ? end - 1 : end;
  size_t k = digits_end;
  while (k > 0 && line[k - 1] >= '0' && line[k - 1] <= '9') --k;
  if (k == digits_end || k == 0 || line[k - 1] != '{') return m;
  m.found = true;
  m.sync = !nonsync;
  m.start = k - 1;
  if (m.start > 0 && line[m.start - 1] == '~') {
    m.literal8 = true;
    --m.start;
  }
  for (size_t i = k; i < digits_end; ++i) {
    auto d = static_cast<uint64_t>(line[i] - '0');
    if (m.size > (kMaxNumber64 - d) / 10) {
      m.overflow = true;
      break;
    }
    m.size = m.size * 10 + d;
  }
  return m;
}

std::string_view line_tag(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && astring_char(line[n]) && line[n] != '+') ++n;
  if (n == 0 || (n < line.size() && line[n] != ' ')) return {};
  return line.substr(0, n);
}

Reader::Reader(ReaderLimits limits) : limits_(limits) {}

void Reader::feed(std::string_view bytes) {
  if (state_ == State::kClosed) return;
  buf_.append(bytes);
}

void Reader::accept_literal() {
  if (state_ != State::kAwaitDecision) misuse("accept_literal() without a pending literal");
  cmd_size_ += literal_left_;
  cmd_.literals.emplace_back().reserve(std::min<uint64_t>(literal_left_, kMaxReserve));
  state_ = State::kLiteral;
}

void Reader::refuse_literal() {
  if (state_ != State::kAwaitDecision) misuse("refuse_literal() without a pending literal");
  reset_command();
  state_ = State::kLine;
}

void Reader::expect_raw_line() {
  if (state_ != State::kLine || !cmd_.lines.empty()) misuse("expect_raw_line() inside a command");
  state_ = State::kRawLine;
}

ReadEvent Reader::next() {
  while (true) {
    switch (state_) {
      case State::kClosed:
      case State::kAwaitDecision:
        return {};
      case State::kLiteral:
        if (!copy_literal()) return {};
        state_ = State::kLine;
        break;
      case State::kDiscardLiteral:
        if (!skip_literal()) return {};
        tail_.clear();
        tail_truncated_ = false;
        state_ = State::kDiscardLine;
        break;
      case State::kDiscardLine:
        if (!skip_line()) return {};
        if (!after_dropped_line(tail_, tail_truncated_)) {
          ReadEvent ev = error_event("", true, "", "");
          close_with(ev, "literal announcement of a refused line cannot be skipped");
          return ev;
        }
        break;
      case State::kLine:
      case State::kRawLine: {
        std::string_view line;
        LineEnd end = take_line(line);
        if (end == LineEnd::kNone) return {};
        if (state_ == State::kRawLine) return on_raw_line(line, end);
        if (end == LineEnd::kBareLf) {
          return refuse_line("line must end in CRLF (RFC 9051 §2.2)", line, end);
        }
        if (end != LineEnd::kCrlf) {
          return refuse_line("line too long (max " + std::to_string(limits_.max_line) + " octets)",
                             line, end);
        }
        if (std::optional<ReadEvent> ev = on_line(line)) return std::move(*ev);
        break;
      }
    }
  }
}

// The next line without its line end. kUnterminated: no LF within max_line
// octets; `line` is what there is and all of it is consumed.
Reader::LineEnd Reader::take_line(std::string_view& line) {
  std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
  size_t lf = avail.find('\n', scanned_);
  if (lf == std::string_view::npos) {
    scanned_ = avail.size();
    if (avail.size() <= limits_.max_line + 1) {  // + 1: a CR may wait for its LF
      compact();
      return LineEnd::kNone;
    }
    line = avail;
    pos_ = buf_.size();
    scanned_ = 0;
    return LineEnd::kUnterminated;
  }
  pos_ += lf + 1;
  scanned_ = 0;
  bool cr = lf > 0 && avail[lf - 1] == '\r';
  line = avail.substr(0, cr ? lf - 1 : lf);
  if (line.size() > limits_.max_line) return LineEnd::kTooLong;
  return cr ? LineEnd::kCrlf : LineEnd::kBareLf;
}

std::optional<ReadEvent> Reader::on_line(std::string_view line) {
  if (cmd_.lines.empty()) cmd_.tag = std::string(line_tag(line));
  cmd_size_ += line.size() + 2;
  if (cmd_size_ > limits_.max_command) {
    return refuse_line("command too large (max " + std::to_string(limits_.max_command) + " octets)",
                       line, LineEnd::kTooLong);
  }
  LiteralMarker m = find_literal_marker(line);
  cmd_.lines.emplace_back(line);
  if (m.found) return on_announcement(m);
  ReadEvent ev;
  ev.kind = ReadEvent::Kind::kCommand;
  ev.command = std::move(cmd_);
  reset_command();
  return ev;
}

std::optional<ReadEvent> Reader::on_announcement(const LiteralMarker& m) {
  if (m.overflow) {
    ReadEvent ev = error_event(cmd_.tag, true, "", "literal size out of range");
    close_with(ev, "");
    return ev;
  }
  const bool append = in_append();
  const uint64_t limit = append ? limits_.max_append_literal : limits_.max_literal;
  if (m.size > limit) {
    // RFC 7889 §4 (APPENDLIMIT): a message over the limit gets NO [TOOBIG].
    return refuse_literal_size(m, !append,
                               std::string(append ? "message" : "literal") + " too large (max " +
                                   std::to_string(limit) + " octets)");
  }
  if (cmd_size_ + m.size > limits_.max_command) {
    return refuse_literal_size(
        m, false, "command too large (max " + std::to_string(limits_.max_command) + " octets)");
  }
  if (!m.sync && limits_.literal_minus && m.size > kLiteralMinusMax) {
    return refuse_literal_size(
        m, true, "non-synchronizing literal above 4096 octets, use {n} (RFC 7888 §4)");
  }
  literal_left_ = m.size;
  if (!m.sync) {
    cmd_size_ += m.size;
    cmd_.literals.emplace_back().reserve(std::min<uint64_t>(m.size, kMaxReserve));
    state_ = State::kLiteral;
    return std::nullopt;
  }
  state_ = State::kAwaitDecision;
  ReadEvent ev;
  ev.kind = ReadEvent::Kind::kLiteral;
  ev.command.tag = cmd_.tag;
  ev.command.lines = cmd_.lines;
  ev.literal_size = m.size;
  ev.literal8 = m.literal8;
  return ev;
}

ReadEvent Reader::on_raw_line(std::string_view line, LineEnd end) {
  state_ = State::kLine;
  if (end == LineEnd::kCrlf) {
    ReadEvent ev;
    ev.kind = ReadEvent::Kind::kLine;
    ev.line = std::string(line);
    return ev;
  }
  if (end == LineEnd::kUnterminated) {
    tail_.clear();
    tail_truncated_ = true;
    state_ = State::kDiscardLine;
  }
  return error_event(
      "", true, "",
      end == LineEnd::kBareLf ? "line must end in CRLF (RFC 9051 §2.2)" : "line too long");
}

// A refused literal: a synchronizing one is never sent, so the command is
// simply over; the octets of a non-synchronizing one follow and are dropped.
ReadEvent Reader::refuse_literal_size(const LiteralMarker& m, bool bad, std::string text) {
  ReadEvent ev = error_event(cmd_.tag, bad, "TOOBIG", std::move(text));
  reset_command();
  if (m.sync) {
    state_ = State::kLine;
  } else if (m.size > limits_.max_discard) {
    close_with(ev, "literal too large to skip");
  } else {
    literal_left_ = m.size;
    state_ = State::kDiscardLiteral;
  }
  return ev;
}

// A refused line: the rest of its command is dropped. kUnterminated: the line
// goes on, its end is looked for in kDiscardLine.
ReadEvent Reader::refuse_line(std::string text, std::string_view line, LineEnd end) {
  std::string tag = cmd_.lines.empty() ? std::string(line_tag(line)) : cmd_.tag;
  ReadEvent ev = error_event(std::move(tag), true, "", std::move(text));
  if (end == LineEnd::kUnterminated) {
    tail_ = std::string(line.substr(line.size() - std::min(line.size(), kTailKeep)));
    tail_truncated_ = true;
    state_ = State::kDiscardLine;
  } else if (!after_dropped_line(line, false)) {
    close_with(ev, "its literal cannot be skipped");
  }
  return ev;
}

// A dropped line ended; `tail` is its end. A non-synchronizing literal
// announced there will follow and is skipped with the rest of the command;
// otherwise the command is over (a client waiting for "+" after a
// synchronizing one has its tagged BAD). False: the connection must close.
bool Reader::after_dropped_line(std::string_view tail, bool truncated) {
  LiteralMarker m = find_literal_marker(tail);
  if (m.found && !m.sync) {
    if (m.overflow || m.size > limits_.max_discard) return false;
    reset_command();
    literal_left_ = m.size;
    state_ = State::kDiscardLiteral;
    return true;
  }
  if (!m.found && truncated && !tail.empty() && tail.back() == '}') {
    // Only digits are left of a possible announcement: "{000…0005+}".
    size_t digits = tail.find_last_not_of("0123456789+}");
    if (digits == std::string_view::npos) return false;
  }
  reset_command();
  state_ = State::kLine;
  return true;
}

ReadEvent Reader::error_event(std::string tag, bool bad, std::string code, std::string text) {
  ReadEvent ev;
  ev.kind = ReadEvent::Kind::kError;
  ev.error.tag = std::move(tag);
  ev.error.bad = bad;
  ev.error.code = std::move(code);
  ev.error.text = std::move(text);
  return ev;
}

void Reader::close_with(ReadEvent& ev, std::string_view why) {
  if (!why.empty()) {
    if (!ev.error.text.empty()) ev.error.text += "; ";
    ev.error.text += why;
  }
  ev.error.bad = true;
  ev.error.close = true;
  state_ = State::kClosed;
  reset_command();
  buf_.clear();
  pos_ = scanned_ = 0;
}

bool Reader::copy_literal() {
  size_t n = static_cast<size_t>(std::min<uint64_t>(buf_.size() - pos_, literal_left_));
  cmd_.literals.back().append(buf_, pos_, n);
  pos_ += n;
  literal_left_ -= n;
  scanned_ = 0;
  compact();
  return literal_left_ == 0;
}

bool Reader::skip_literal() {
  size_t n = static_cast<size_t>(std::min<uint64_t>(buf_.size() - pos_, literal_left_));
  pos_ += n;
  literal_left_ -= n;
  scanned_ = 0;
  compact();
  return literal_left_ == 0;
}

// Drops octets up to and including the next LF, keeping the last few in tail_.
bool Reader::skip_line() {
  std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
  size_t lf = avail.find('\n');
  std::string_view chunk = avail.substr(0, lf);
  if (chunk.size() > kTailKeep + 1) tail_truncated_ = true;
  tail_.append(chunk.substr(chunk.size() - std::min(chunk.size(), kTailKeep + 1)));
  if (tail_.size() > kTailKeep + 1) {
    tail_.erase(0, tail_.size() - (kTailKeep + 1));
    tail_truncated_ = true;
  }
  pos_ += lf == std::string_view::npos ? avail.size() : lf + 1;
  scanned_ = 0;
  compact();
  if (lf == std::string_view::npos) return false;
  if (!tail_.empty() && tail_.back() == '\r') tail_.pop_back();
  return true;
}

bool Reader::in_append() const {
  std::string_view first = cmd_.lines.empty() ? std::string_view() : cmd_.lines[0];
  size_t sp = first.find(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view rest = first.substr(sp + 1);
  auto is = [&](std::string_view name) {
    return rest.size() >= name.size() && strncasecmp(rest.data(), name.data(), name.size()) == 0 &&
           (rest.size() == name.size() || rest[name.size()] == ' ');
  };
  // REPLACE carries a message as APPEND does (RFC 8508 §3).
  return is("APPEND") || is("REPLACE") || is("UID REPLACE");
}

void Reader::reset_command() {
  cmd_ = RawCommand();
  cmd_size_ = 0;
}

void Reader::compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 64 * 1024 && pos_ > buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

}  // namespace mox::imap
