#include "log/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace mox::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

// The program name, set once at start before threads exist.
std::string& program() {
  static std::string p = "mox";
  return p;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '=' || c == '"' || c == 0x7f) return true;
  }
  return false;
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

void set_program(std::string_view prog) { program() = std::string(prog); }
std::atomic<bool> g_level_explicit{false};

void set_level(Level l) {
  g_level.store(static_cast<int>(l));
  g_level_explicit.store(true);
}

Status set_level_from_config(std::string_view s) {
  MOX_ASSIGN(Level l, parse_level(s));
  if (!g_level_explicit.load()) g_level.store(static_cast<int>(l));
  return {};
}
Level level() { return static_cast<Level>(g_level.load()); }
bool enabled(Level l) { return static_cast<int>(l) <= g_level.load(); }

Result<Level> parse_level(std::string_view s) {
  if (s.empty() || s == "info") return Level::kInfo;
  if (s == "error") return Level::kError;
  if (s == "debug") return Level::kDebug;
  if (s == "trace") return Level::kTrace;
  return syntax_error("unknown log level \"" + std::string(s) + "\" (error, info, debug, trace)");
}

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kError:
      return "error";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
    case Level::kTrace:
      return "trace";
  }
  return "info";
}

void append_field(std::string& line, std::string_view key, std::string_view v) {
  if (!line.empty()) line += ' ';
  line.append(key);
  line += '=';
  if (!needs_quotes(v)) {
    line.append(v);
    return;
  }
  line += '"';
  for (unsigned char c : v) {
    switch (c) {
      case '"':
        line += "\\\"";
        break;
      case '\\':
        line += "\\\\";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      case '\t':
        line += "\\t";
        break;
      default:
        if (c < ' ' || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          line += buf;
        } else {
          line += static_cast<char>(c);
        }
    }
  }
  line += '"';
}

std::string format(Level l, std::string_view prog, std::string_view msg,
                   const std::vector<Field>& fields, bool with_time) {
  std::string line;
  if (with_time) append_field(line, "t", now_rfc3339());
  append_field(line, "level", level_name(l));
  append_field(line, "prog", prog);
  append_field(line, "msg", msg);
  for (const Field& f : fields) append_field(line, f.key, f.value);
  return line;
}

void write(Level l, std::string_view msg, Fields fields) {
  if (enabled(l)) write(l, msg, std::vector<Field>(fields));
}

void write(Level l, std::string_view msg, const std::vector<Field>& fields) {
  if (!enabled(l)) return;
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  std::string line = format(l, program(), msg, fields, !journal) + "\n";
  // One write(2) per line: lines of concurrent threads and processes do not
  // interleave (below PIPE_BUF on pipes; whole writes on files and sockets).
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(2, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace mox::log
