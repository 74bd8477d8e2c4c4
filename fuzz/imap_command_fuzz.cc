// libFuzzer target for the IMAP command reader and parser (lib/imap): peer
// bytes, cut into chunks at arbitrary points, must never crash, hang or break
// the reader's invariants; parsed LOGIN and SELECT arguments must survive a
// round trip through the response writer.
//
// Input: byte 0 holds options (bit 0: UTF-8 mailbox names; bit 1: LITERAL-;
// bit 2: small limits; bits 3-7: seed for chunk sizes and literal
// decisions); the rest is the client's byte stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "imap/describe.h"
#include "imap/parser.h"
#include "imap/reader.h"
#include "imap/writer.h"

namespace {

using namespace mox::imap;

struct Rng {
  uint32_t s;
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
};

// Parses `wire` as one command with a fresh reader that accepts every literal.
mox::Result<Command> reparse(const std::string& wire, const ParseOptions& o) {
  Reader r;
  r.feed(wire);
  while (true) {
    ReadEvent ev = r.next();
    if (ev.kind == ReadEvent::Kind::kLiteral) {
      r.accept_literal();
    } else if (ev.kind == ReadEvent::Kind::kCommand) {
      return parse_command(std::move(ev.command), o);
    } else {
      return mox::internal_error("no command");
    }
  }
}

void round_trip(const Command& cmd, const ParseOptions& o) {
  if (const auto* login = std::get_if<LoginArgs>(&cmd.args)) {
    std::string wire = "T LOGIN ";
    append_astring(wire, login->username, o.utf8);
    wire += ' ';
    append_astring(wire, login->password, o.utf8);
    auto again = reparse(wire + "\r\n", o);
    if (!again.ok() || std::get<LoginArgs>(again->args) != *login) std::abort();
  }
  if (const auto* sel = std::get_if<SelectArgs>(&cmd.args)) {
    std::string wire = "T SELECT ";
    append_mailbox(wire, sel->mailbox, o.utf8);
    auto again = reparse(wire + "\r\n", o);
    if (!again.ok() || std::get<SelectArgs>(again->args).mailbox != sel->mailbox) std::abort();
  }
}

void check_raw(const RawCommand& raw) {
  if (raw.lines.size() != raw.literals.size() + 1) std::abort();
  if (raw.tag != line_tag(raw.lines[0])) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ParseOptions opts;
  opts.utf8 = (data[0] & 1) != 0;
  ReaderLimits limits;
  limits.literal_minus = (data[0] & 2) != 0;
  if (data[0] & 4) {
    limits.max_line = 64;
    limits.max_literal = 32;
    limits.max_append_literal = 64;
    limits.max_command = 256;
    limits.max_discard = 128;
  }
  Rng rng{0x9e3779b9u ^ (static_cast<uint32_t>(data[0]) << 8) ^ static_cast<uint32_t>(size)};
  Reader reader(limits);
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!in.empty()) {
    size_t n = std::min<size_t>(in.size(), 1 + rng.next() % 64);
    reader.feed(in.substr(0, n));
    in.remove_prefix(n);
    while (true) {
      ReadEvent ev = reader.next();
      if (ev.kind == ReadEvent::Kind::kNeedMore) break;
      if (ev.kind == ReadEvent::Kind::kLiteral) {
        if (ev.command.lines.empty() || !ev.command.literals.empty()) std::abort();
        if (rng.next() % 4 == 0) {
          reader.refuse_literal();
        } else {
          reader.accept_literal();
        }
      } else if (ev.kind == ReadEvent::Kind::kCommand) {
        check_raw(ev.command);
        auto cmd = parse_command(std::move(ev.command), opts);
        if (!cmd.ok()) {
          if (cmd.error().kind != mox::ErrorKind::kSyntax) std::abort();
          continue;
        }
        (void)describe(*cmd);
        round_trip(*cmd, opts);
        if (cmd->verb == Verb::kIdle || cmd->verb == Verb::kAuthenticate) reader.expect_raw_line();
      } else if (ev.kind == ReadEvent::Kind::kError) {
        if (ev.error.close != reader.closed()) std::abort();
      }
    }
  }
  return 0;
}
