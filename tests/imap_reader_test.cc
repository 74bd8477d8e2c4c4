// Tests for lib/imap/reader.*: command lines and literals (RFC 9051 §4.3),
// synchronizing literals that need "+", non-synchronizing ones that do not
// (LITERAL+ / LITERAL-, RFC 7888), literal8 (RFC 3516), limits and what is
// skipped after a refusal, CRLF only, raw lines for IDLE and AUTHENTICATE.
#include <gtest/gtest.h>

#include "imap/reader.h"

namespace mox::imap {
namespace {

using namespace std::string_literals;
using Kind = ReadEvent::Kind;

// Feeds `wire`, accepting synchronizing literals; returns the commands and errors.
std::vector<ReadEvent> run(Reader& r, std::string_view wire) {
  r.feed(wire);
  std::vector<ReadEvent> out;
  while (true) {
    ReadEvent ev = r.next();
    if (ev.kind == Kind::kNeedMore) return out;
    if (ev.kind == Kind::kLiteral) r.accept_literal();
    out.push_back(std::move(ev));
  }
}

TEST(ImapReader, LinesAndPipelining) {
  Reader r;
  auto evs = run(r, "A1 NOOP\r\nA2 LOGIN user pass\r\nA3 CAPA");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, Kind::kCommand);
  EXPECT_EQ(evs[0].command, (RawCommand{"A1", {"A1 NOOP"}, {}}));
  EXPECT_EQ(evs[1].command, (RawCommand{"A2", {"A2 LOGIN user pass"}, {}}));
  EXPECT_EQ(r.buffered(), 7u);
  evs = run(r, "BILITY\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].command.lines, std::vector<std::string>{"A3 CAPABILITY"});
  // A tag that is not one is left for the parser to reject.
  evs = run(r, "+x NOOP\r\n\r\n");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].command.tag, "");
  EXPECT_EQ(evs[1].command, (RawCommand{"", {""}, {}}));
}

TEST(ImapReader, NonSynchronizingLiteral) {
  Reader r;
  auto evs = run(r, "a UID SEARCH CHARSET UTF-8 OR SUBJECT \"x\" FROM {3+}\r\nabc\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, Kind::kCommand);
  EXPECT_EQ(
      evs[0].command.lines,
      (std::vector<std::string>{"a UID SEARCH CHARSET UTF-8 OR SUBJECT \"x\" FROM {3+}", ""}));
  EXPECT_EQ(evs[0].command.literals, std::vector<std::string>{"abc"});
}

TEST(ImapReader, SynchronizingLiteralNeedsContinuation) {
  Reader r;
  r.feed("A1 LOGIN {4}\r\n");
  ReadEvent ev = r.next();
  ASSERT_EQ(ev.kind, Kind::kLiteral);
  EXPECT_EQ(ev.literal_size, 4u);
  EXPECT_FALSE(ev.literal8);
  EXPECT_EQ(ev.command.tag, "A1");
  EXPECT_EQ(ev.command.lines, std::vector<std::string>{"A1 LOGIN {4}"});
  EXPECT_EQ(r.next().kind, Kind::kNeedMore);  // waits for the decision
  r.accept_literal();                         // the server sends "+ Ready"
  r.feed("mjl1 {4}\r\n");
  ev = r.next();
  ASSERT_EQ(ev.kind, Kind::kLiteral);
  r.accept_literal();
  r.feed("pass\r\n");
  ev = r.next();
  ASSERT_EQ(ev.kind, Kind::kCommand);
  EXPECT_EQ(ev.command, (RawCommand{"A1", {"A1 LOGIN {4}", " {4}", ""}, {"mjl1", "pass"}}));
}

TEST(ImapReader, ZeroLengthSynchronizingLiteral) {
  Reader r;
  r.feed("A1 LOGIN {0}\r\n");
  ASSERT_EQ(r.next().kind, Kind::kLiteral);
  r.accept_literal();
  r.feed(" x\r\n");
  ReadEvent ev = r.next();
  ASSERT_EQ(ev.kind, Kind::kCommand);
  EXPECT_EQ(ev.command.literals, std::vector<std::string>{""});
}

TEST(ImapReader, RefusedSynchronizingLiteral) {
  Reader r;
  r.feed("A1 APPEND Nonexistent {10}\r\n");
  ASSERT_EQ(r.next().kind, Kind::kLiteral);
  r.refuse_literal();  // the server sends "A1 NO [TRYCREATE] ..."
  auto evs = run(r, "A2 NOOP\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].command.tag, "A2");
}

TEST(ImapReader, SplitAtEveryByte) {
  const std::string wire =
      "A1 APPEND INBOX (\\Seen) {5+}\r\nhello ~{3+}\r\na\0b\r\n"
      "A2 LOGIN {1+}\r\nx {2+}\r\n\r\n\r\n"s;
  std::vector<ReadEvent> whole;
  {
    Reader r;
    whole = run(r, wire);
  }
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(
      whole[0].command,
      (RawCommand{"A1", {"A1 APPEND INBOX (\\Seen) {5+}", " ~{3+}", ""}, {"hello", "a\0b"s}}));
  EXPECT_EQ(whole[1].command, (RawCommand{"A2", {"A2 LOGIN {1+}", " {2+}", ""}, {"x", "\r\n"}}));
  Reader r;
  std::vector<ReadEvent> bytewise;
  for (char c : wire) {
    for (ReadEvent& ev : run(r, std::string_view(&c, 1))) bytewise.push_back(std::move(ev));
  }
  ASSERT_EQ(bytewise.size(), 2u);
  EXPECT_EQ(bytewise[0].command, whole[0].command);
  EXPECT_EQ(bytewise[1].command, whole[1].command);
}

TEST(ImapReader, SynchronizingLiteralOverLimitIsRefused) {
  ReaderLimits l;
  l.max_literal = 10;
  l.max_append_literal = 100;
  Reader r(l);
  auto evs = run(r, "A1 LOGIN {11}\r\nA2 append INBOX {101}\r\nA3 APPEND INBOX {100}\r\n");
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].kind, Kind::kError);
  EXPECT_EQ(evs[0].error.tag, "A1");
  EXPECT_TRUE(evs[0].error.bad);
  EXPECT_EQ(evs[0].error.code, "TOOBIG");
  EXPECT_FALSE(evs[0].error.close);
  // RFC 7889: a message above APPENDLIMIT gets NO [TOOBIG].
  EXPECT_EQ(evs[1].kind, Kind::kError);
  EXPECT_EQ(evs[1].error.tag, "A2");
  EXPECT_FALSE(evs[1].error.bad);
  EXPECT_EQ(evs[1].error.code, "TOOBIG");
  EXPECT_EQ(evs[2].kind, Kind::kLiteral);
  EXPECT_EQ(evs[2].literal_size, 100u);
}

// The octets of a refused non-synchronizing literal are skipped, never read
// as commands, and so is the rest of the refused command.
TEST(ImapReader, NonSynchronizingLiteralOverLimitIsSkipped) {
  ReaderLimits l;
  l.max_literal = 16;
  Reader r(l);
  std::string payload = "x\r\nA9 DELETE INBOX\r\n";  // 21 octets
  auto evs = run(r, "A1 LOGIN {21+}\r\n" + payload + " {21+}\r\n" + payload + "\r\nA2 NOOP\r\n");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, Kind::kError);
  EXPECT_EQ(evs[0].error.tag, "A1");
  EXPECT_EQ(evs[0].error.code, "TOOBIG");
  EXPECT_FALSE(evs[0].error.close);
  EXPECT_EQ(evs[1].kind, Kind::kCommand);
  EXPECT_EQ(evs[1].command.tag, "A2");
}

TEST(ImapReader, LiteralMinus) {
  ReaderLimits l;
  l.literal_minus = true;
  Reader r(l);
  std::string big(5000, 'x');
  auto evs = run(r, "A1 APPEND INBOX {4096+}\r\n" + std::string(4096, 'y') + "\r\n" +
                        "A2 APPEND INBOX {5000+}\r\n" + big + "\r\nA3 NOOP\r\n");
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].kind, Kind::kCommand);
  EXPECT_EQ(evs[1].kind, Kind::kError);
  EXPECT_TRUE(evs[1].error.bad);  // RFC 7888 §4
  EXPECT_EQ(evs[1].error.code, "TOOBIG");
  EXPECT_EQ(evs[2].command.tag, "A3");
  // Synchronizing literals of any size are fine with LITERAL-.
  evs = run(r, "A4 APPEND INBOX {5000}\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, Kind::kLiteral);
}

TEST(ImapReader, LiteralTooLargeToSkipCloses) {
  ReaderLimits l;
  l.max_literal = 10;
  l.max_discard = 100;
  Reader r(l);
  auto evs = run(r, "A1 LOGIN {101+}\r\nxxx");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].error.tag, "A1");
  EXPECT_TRUE(evs[0].error.close);
  EXPECT_TRUE(r.closed());
  EXPECT_TRUE(run(r, "A2 NOOP\r\n").empty());
}

TEST(ImapReader, LiteralSizeOverflowCloses) {
  Reader r;
  auto evs = run(r, "A1 LOGIN {99999999999999999999+}\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_TRUE(evs[0].error.close);
  EXPECT_EQ(evs[0].error.text, "literal size out of range");
}

TEST(ImapReader, CommandSizeLimit) {
  ReaderLimits l;
  l.max_append_literal = 100;
  l.max_command = 150;
  Reader r(l);
  auto evs = run(r, "A1 APPEND INBOX {80+}\r\n" + std::string(80, 'm') + " {80+}\r\n" +
                        std::string(80, 'n') + "\r\nA2 NOOP\r\n");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, Kind::kError);
  EXPECT_FALSE(evs[0].error.bad);
  EXPECT_EQ(evs[0].error.code, "TOOBIG");
  EXPECT_EQ(evs[1].command.tag, "A2");
}

TEST(ImapReader, BareLfIsRefused) {
  Reader r;
  auto evs = run(r, "A1 NOOP\nA2 LOGIN {3+}\nabc\r\nA3 NOOP\r\n");
  ASSERT_EQ(evs.size(), 3u);
  EXPECT_EQ(evs[0].kind, Kind::kError);
  EXPECT_EQ(evs[0].error.tag, "A1");
  EXPECT_EQ(evs[0].error.text, "line must end in CRLF (RFC 9051 §2.2)");
  EXPECT_FALSE(evs[0].error.close);
  // The refused line announced a literal: its octets are skipped.
  EXPECT_EQ(evs[1].kind, Kind::kError);
  EXPECT_EQ(evs[1].error.tag, "A2");
  EXPECT_EQ(evs[2].kind, Kind::kCommand);
  EXPECT_EQ(evs[2].command.lines, std::vector<std::string>{"A3 NOOP"});
}

TEST(ImapReader, LongLines) {
  ReaderLimits l;
  l.max_line = 100;
  Reader r(l);
  // Unterminated: refused as soon as it passes the limit, then dropped to its LF.
  auto evs = run(r, "A1 LOGIN " + std::string(150, 'x'));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, Kind::kError);
  EXPECT_EQ(evs[0].error.tag, "A1");
  EXPECT_EQ(evs[0].error.text, "line too long (max 100 octets)");
  evs = run(r, std::string(500, 'y'));
  EXPECT_TRUE(evs.empty());
  // It ended with a non-synchronizing literal: the literal is skipped too.
  evs = run(r, "yy {20+}\r\nA8 DELETE INBOX\r\nxxx\r\nA2 NOOP\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].command.tag, "A2");
  // A whole long line at once.
  evs = run(r, "A3 NOOP " + std::string(100, 'z') + "\r\nA4 NOOP\r\n");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].error.tag, "A3");
  EXPECT_EQ(evs[1].command.tag, "A4");
  // Exactly at the limit is fine.
  std::string line = "A5 NOOP " + std::string(92, 'z');
  evs = run(r, line + "\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, Kind::kCommand);
}

TEST(ImapReader, LiteralAfterLongLine) {
  ReaderLimits l;
  l.max_line = 100;
  Reader r(l);
  // The whole refused line is at hand: its literal is found and skipped.
  auto evs = run(r, "A1 LOGIN {" + std::string(200, '0') + "3+}\r\nabc\r\nA2 NOOP\r\n");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].error.tag, "A1");
  EXPECT_FALSE(evs[0].error.close);
  EXPECT_EQ(evs[1].command.tag, "A2");
  // Only digits are left of the announcement once the line is cut: the
  // reader cannot tell how many octets follow, so it closes.
  evs = run(r, "A3 LOGIN {" + std::string(200, '0'));
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_FALSE(evs[0].error.close);
  evs = run(r, "3+}\r\nabc\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_TRUE(evs[0].error.close);
  EXPECT_TRUE(r.closed());
}

TEST(ImapReader, RawLines) {
  Reader r;
  auto evs = run(r, "A1 IDLE\r\n");
  ASSERT_EQ(evs.size(), 1u);
  r.expect_raw_line();
  evs = run(r, "DONE\r\nA2 NOOP\r\n");
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, Kind::kLine);
  EXPECT_EQ(evs[0].line, "DONE");
  EXPECT_EQ(evs[1].command.tag, "A2");
  // A raw line is not looked at for literals.
  r.expect_raw_line();
  evs = run(r, "dGVzdA== {5}\r\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, Kind::kLine);
  EXPECT_EQ(evs[0].line, "dGVzdA== {5}");
  r.expect_raw_line();
  evs = run(r, "*\n");
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, Kind::kError);
  EXPECT_EQ(evs[0].error.tag, "");
}

TEST(ImapReader, Markers) {
  auto m = find_literal_marker("A1 APPEND x ~{12+}");
  EXPECT_TRUE(m.found);
  EXPECT_FALSE(m.sync);
  EXPECT_TRUE(m.literal8);
  EXPECT_EQ(m.size, 12u);
  EXPECT_EQ(m.start, 12u);
  EXPECT_FALSE(find_literal_marker("A1 LOGIN {}").found);
  EXPECT_FALSE(find_literal_marker("A1 LOGIN {+}").found);
  EXPECT_FALSE(find_literal_marker("A1 LOGIN {1a}").found);
  EXPECT_FALSE(find_literal_marker("A1 LOGIN 12}").found);
  EXPECT_TRUE(find_literal_marker("{9223372036854775807}").found);
  EXPECT_FALSE(find_literal_marker("{9223372036854775807}").overflow);
  EXPECT_TRUE(find_literal_marker("{9223372036854775808}").overflow);
  EXPECT_EQ(line_tag("A1 NOOP"), "A1");
  EXPECT_EQ(line_tag("A1"), "A1");
  EXPECT_EQ(line_tag("A+1 NOOP"), "");
  EXPECT_EQ(line_tag("A\"1 NOOP"), "");
  EXPECT_EQ(line_tag("a]b NOOP"), "a]b");
  EXPECT_EQ(line_tag(" NOOP"), "");
}

}  // namespace
}  // namespace mox::imap
