// Shared command-line conventions of every mox-cpp program (docs/DESIGN.md
// "Programs"): --help, --version, --config; exit 0 on success, 1 on a user
// error with one line on stderr, 2 on a usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "util/result.h"

namespace mox {

constexpr int kExitUserError = 1;
constexpr int kExitUsage = 2;

// The names of the subcommands the parsed command line chose, outermost
// first ({"account", "add"}); {""} when none.
std::vector<std::string> command_path(CLI::App& app);
// Logs `msg` at info level (log/log.h) with the command path and `args`.
void log_command(CLI::App& app, const std::vector<std::string>& args, std::string_view msg);
// Adds --config and --version to `app`.
void add_common_options(CLI::App& app, std::string& config);
// Parses; returns -1 to continue, or the exit code (0 for --help/--version).
int parse_args(CLI::App& app, int argc, char** argv);
// Adds the subcommand `name` whose positional arguments `names` (a trailing
// "?" marks an optional one) are appended to `pos` in order; `chosen` runs
// when the parsed command line names this subcommand.
CLI::App* add_verb(CLI::App& parent, const char* name, const char* desc,
                   std::vector<std::string> names, std::vector<std::string>& pos,
                   std::function<void()> chosen);
// A program's verb as a handler of its arguments `A` (positional ones in
// a.pos): add_verb, and `h` becomes `chosen` when the command line names the
// verb; main then returns chosen(a).
template <class A>
using Handler = std::function<int(const A&)>;
template <class A>
CLI::App* add_verb(CLI::App& parent, const char* name, const char* desc,
                   std::vector<std::string> names, A& a, std::type_identity_t<Handler<A>> h,
                   Handler<A>& chosen) {
  return add_verb(parent, name, desc, std::move(names), a.pos, [&chosen, h] { chosen = h; });
}

// A program made of verbs: its arguments, its app with the common options and
// one verb required, and the handler of the verb chosen. main binds the parts,
//   mox::VerbProgram<Args> p("Description.", "mox-x");
//   auto& [a, app, chosen] = p;
// adds its verbs with add_verb(…, a, handler, chosen), and returns p.run(…).
template <class A>
struct VerbProgram {
  VerbProgram(const char* desc, const char* name) : app(desc, name) {
    add_common_options(app, args.config);
    app.require_subcommand(1);
  }
  // parse_args, then the chosen verb: the exit code.
  int run(int argc, char** argv) {
    if (int rc = parse_args(app, argc, argv); rc >= 0) return rc;
    return chosen ? chosen(args) : kExitUsage;
  }

  A args;
  CLI::App app;
  Handler<A> chosen;
};
// Prints "prog: message" on stderr, as one line (bytes of the message that are
// not printable UTF-8 are written as \xNN, see escape_unprintable), and
// returns 1.
int fail(std::string_view prog, const Error& e);
// Reads one line from stdin (no prompt echo when it is a terminal).
Result<std::string> read_secret_line(std::string_view prompt);

}  // namespace mox
