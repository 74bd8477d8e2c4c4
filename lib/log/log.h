// Structured logging for every program: one line per event on stderr, in
// logfmt (key=value pairs, values quoted when they need it), which journald
// stores as is and which `journalctl -u UNIT | grep msgid=...` follows:
//
//   t=2026-12-07T06:10:00.123Z level=info prog=mox-smtpd msg="message delivered" msgid=... rcpt=...
//
// The time is left out when stderr goes to the journal (JOURNAL_STREAM set,
// systemd.exec(5)): journald stamps each line itself. Levels, from least to
// most verbose: error, info, debug, trace (mox.conf(5) LogLevel; a program's
// --log-level wins). Nothing secret is logged: callers pass no passwords or
// AUTH payloads (documented at each call site that handles them).
//
// Thread-safety: every function may be called from any thread; a line is
// written with one write(2).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace mox::log {

enum class Level { kError = 0, kInfo = 1, kDebug = 2, kTrace = 3 };

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, int64_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, size_t v) : key(k), value(std::to_string(v)) {}
  Field(std::string_view k, double v);
  std::string_view key;
  std::string value;
};
using Fields = std::initializer_list<Field>;

// The program name of every line ("mox-smtpd"); set once in main.
void set_program(std::string_view prog);
// The level from the command line (--log-level): mox.conf's LogLevel no
// longer changes it.
void set_level(Level level);
// mox.conf's LogLevel, unless --log-level was given. Errors: kSyntax.
Status set_level_from_config(std::string_view level);
Level level();
// "error", "info", "debug", "trace" ("" is info). Errors: kSyntax.
Result<Level> parse_level(std::string_view s);
std::string_view level_name(Level level);
bool enabled(Level level);

// One line (without the time when `with_time` is false); for tests.
std::string format(Level level, std::string_view prog, std::string_view msg,
                   const std::vector<Field>& fields, bool with_time);
// Appends ` key=value` to `line`, quoting and escaping the value as logfmt
// needs (spaces, '=', '"', control characters).
void append_field(std::string& line, std::string_view key, std::string_view value);

void write(Level level, std::string_view msg, Fields fields = {});
void write(Level level, std::string_view msg, const std::vector<Field>& fields);
inline void error(std::string_view msg, Fields fields = {}) { write(Level::kError, msg, fields); }
inline void info(std::string_view msg, Fields fields = {}) { write(Level::kInfo, msg, fields); }
inline void debug(std::string_view msg, Fields fields = {}) { write(Level::kDebug, msg, fields); }

}  // namespace mox::log
