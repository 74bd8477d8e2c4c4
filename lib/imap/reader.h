// Incremental IMAP command reader (RFC 9051 §2.2, §4.3; LITERAL+/LITERAL-
// RFC 7888; literal8 RFC 3516 §4.1), without I/O: the server feeds received
// bytes and takes out complete commands, requests for a continuation, raw
// lines and errors. The commands go to parse_command() (parser.h).
//
// Line ends: CRLF only (RFC 9051 §2.2: "All interactions ... are in the form
// of lines, that is, strings that end with a CRLF"). A line ended by a bare LF
// is refused with BAD and dropped, like an over-long line: being lenient at
// the protocol edge is how smuggling bugs start. A line that is
// refused still has its trailing literal announcement honoured, so that the
// octets of a non-synchronizing literal are never read as commands.
//
// Not thread-safe; one Reader per connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mox::imap {

struct ReaderLimits {
  size_t max_line = 64 * 1024;  // octets of one line, without CRLF
  // A literal outside APPEND (a password, a search string, a mailbox name).
  uint64_t max_literal = 64 * 1024;
  // A literal of APPEND: one message (APPENDLIMIT, RFC 7889).
  uint64_t max_append_literal = 100 * 1024 * 1024;
  // All lines and literals of one command together (MULTIAPPEND, RFC 3502).
  uint64_t max_command = 128 * 1024 * 1024;
  // A refused non-synchronizing literal is read and dropped up to this size;
  // a larger one ends the connection (RFC 7888 §4: skip it or close).
  uint64_t max_discard = 100 * 1024 * 1024;
  // true when LITERAL- rather than LITERAL+ is announced: non-synchronizing
  // literals above 4096 octets are refused with BAD [TOOBIG] (RFC 7888 §4).
  bool literal_minus = false;
};

// A complete command: lines[i] is the text of line i without CRLF; every line
// but the last ends with a literal announcement ("{n}", "{n+}", "~{n}",
// "~{n+}") whose octets are literals[i]. lines.size() == literals.size() + 1.
struct RawCommand {
  std::string tag;  // the tag if the first line starts with a valid one and SP, else ""
  std::vector<std::string> lines;
  std::vector<std::string> literals;
  bool operator==(const RawCommand&) const = default;
};

// A command the reader refused (the server answers it, then goes on unless
// `close`). Maps to "<tag> BAD|NO [code] text", or "* BAD ..." without tag.
struct ReadError {
  std::string tag;   // "" when unknown
  bool bad = true;   // BAD (protocol, syntax) or NO (a limit the user can heed)
  std::string code;  // response code without brackets, e.g. "TOOBIG", or ""
  std::string text;
  bool close = false;  // the stream cannot be resynchronised: answer, then close
};

struct ReadEvent {
  enum class Kind {
    kNeedMore,  // all buffered input is used; feed() more
    kCommand,   // `command` is complete
    // A synchronizing literal was announced: call accept_literal() and send
    // "+ ..." (RFC 9051 §7.5), or refuse_literal() and send a tagged NO/BAD.
    // `command` holds the lines so far, `literal_size` the announced size.
    kLiteral,
    kLine,   // raw mode: `line` is the next line, uninterpreted
    kError,  // `error`: a command was refused and skipped
  };
  Kind kind = Kind::kNeedMore;
  RawCommand command;
  uint64_t literal_size = 0;
  bool literal8 = false;
  std::string line;
  ReadError error;
};

// Finds a literal announcement at the end of `line` (RFC 9051 §9 literal,
// RFC 7888 §3 literal-nonsync, RFC 3516 §4.1 literal8). Exposed for tests.
struct LiteralMarker {
  bool found = false;
  bool sync = false;
  bool literal8 = false;
  bool overflow = false;
  uint64_t size = 0;
  size_t start = 0;  // index of "{" or "~"
};
LiteralMarker find_literal_marker(std::string_view line);

class Reader {
 public:
  explicit Reader(ReaderLimits limits = {});

  // Appends received bytes to the buffer; next() interprets them. While a
  // kLiteral decision is pending a correct client sends nothing; what it
  // sends anyway is kept and read after the decision. buffered() lets the
  // server stop reading from the socket.
  void feed(std::string_view bytes);
  // The next event. Returns kNeedMore when more input is needed, and while a
  // kLiteral decision is outstanding (the same kLiteral is not repeated).
  ReadEvent next();

  // After kLiteral: the client may send the literal (the server sends "+").
  void accept_literal();
  // After kLiteral: the server refuses the command with a tagged response; the
  // client will not send the literal and the partial command is dropped.
  void refuse_literal();
  // The next line is returned as kLine, without literal processing: the
  // "DONE" of IDLE (RFC 2177 §3) or a SASL response of AUTHENTICATE (RFC 9051
  // §6.2.2). One line only. Precondition: no command is half-read (call it
  // right after kCommand); otherwise aborts (a bug in the server).
  void expect_raw_line();

  // Bytes buffered but not yet interpreted.
  size_t buffered() const { return buf_.size() - pos_; }
  // A kError with close was returned; next() returns only kNeedMore.
  bool closed() const { return state_ == State::kClosed; }

 private:
  enum class State {
    kLine,            // reading a line of a command
    kRawLine,         // reading one raw line
    kLiteral,         // reading literal octets into the command
    kAwaitDecision,   // a synchronizing literal waits for accept/refuse
    kDiscardLine,     // dropping the rest of a refused line
    kDiscardLiteral,  // dropping the octets of a refused literal
    kClosed,
  };
  // How take_line() found the next line.
  enum class LineEnd { kNone, kCrlf, kBareLf, kTooLong, kUnterminated };
  LineEnd take_line(std::string_view& line);
  std::optional<ReadEvent> on_line(std::string_view line);
  std::optional<ReadEvent> on_announcement(const LiteralMarker& m);
  ReadEvent on_raw_line(std::string_view line, LineEnd end);
  ReadEvent refuse_literal_size(const LiteralMarker& m, bool bad, std::string text);
  ReadEvent refuse_line(std::string text, std::string_view line, LineEnd end);
  ReadEvent error_event(std::string tag, bool bad, std::string code, std::string text);
  bool after_dropped_line(std::string_view tail, bool truncated);
  void close_with(ReadEvent& ev, std::string_view why);
  bool copy_literal();
  bool skip_literal();
  bool skip_line();
  bool in_append() const;
  void reset_command();
  void compact();

  ReaderLimits limits_;
  State state_ = State::kLine;
  std::string buf_;
  size_t pos_ = 0;      // first unread byte
  size_t scanned_ = 0;  // bytes after pos_ known to hold no LF
  RawCommand cmd_;      // the command being read; no lines between commands
  uint64_t cmd_size_ = 0;
  uint64_t literal_left_ = 0;  // kLiteral, kDiscardLiteral; kAwaitDecision: announced size
  std::string tail_;           // kDiscardLine: the last octets of the line being dropped
  bool tail_truncated_ = false;
};

// The tag at the start of `line` if it is valid (RFC 9051 §9 tag: 1*<any
// ASTRING-CHAR except "+">) and followed by SP or the end, else "".
std::string_view line_tag(std::string_view line);

}  // namespace mox::imap
