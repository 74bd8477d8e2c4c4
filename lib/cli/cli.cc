#include "cli/cli.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "log/log.h"
#include "util/utf8.h"

namespace mox {

void add_common_options(CLI::App& app, std::string& config) {
  log::set_program(app.get_name());
  app.add_option(
      "--config", config,
      "mox.conf path (default $MOX_CONFIG or config/mox.conf); domains.conf is beside it");
  app.add_option_function<std::string>(
         "--log-level",
         [](const std::string& v) {
           auto l = log::parse_level(v);
           if (!l) throw CLI::ValidationError("--log-level", l.error().message);
           log::set_level(*l);
         },
         "error, info, debug or trace (default: mox.conf LogLevel, else info)")
      ->type_name("LEVEL");
  app.set_version_flag("--version", std::string(app.get_name()) + " (mox-cpp) " MOX_VERSION);
}

CLI::App* add_verb(CLI::App& parent, const char* name, const char* desc,
                   std::vector<std::string> names, std::vector<std::string>& pos,
                   std::function<void()> chosen) {
  CLI::App* sub = parent.add_subcommand(name, desc);
  for (auto& n : names) {
    bool optional = n.back() == '?';
    if (optional) n.pop_back();
    auto* opt = sub->add_option_function<std::string>(
        n, [&pos](const std::string& v) { pos.push_back(v); }, n);
    if (!optional) opt->required();
  }
  sub->callback(std::move(chosen));
  return sub;
}

namespace {

// CLI11 says "A subcommand is required" also when the word given is not one
// of the verbs: name that word instead, with the command it was given to.
std::string usage_message(CLI::App& app, const CLI::ParseError& e) {
  CLI::App* cur = &app;
  std::string path = app.get_name();
  while (!cur->get_subcommands().empty()) {
    cur = cur->get_subcommands().front();
    path += " " + cur->get_name();
  }
  std::vector<std::string> rest = cur->remaining();
  if (cur->get_require_subcommand_min() > 0 && cur->get_subcommands().empty() && !rest.empty() &&
      !rest.front().empty() && rest.front()[0] != '-') {
    return "unknown command \"" + rest.front() + "\" for \"" + path + "\"";
  }
  return e.what();
}

}  // namespace

int parse_args(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << app.get_name() << ": " << usage_message(app, e) << "\n"
              << "Run with --help for more information.\n";
    return kExitUsage;
  }
  return -1;
}

std::vector<std::string> command_path(CLI::App& app) {
  std::vector<std::string> path;
  for (CLI::App* cur = &app; !cur->get_subcommands().empty();) {
    cur = cur->get_subcommands().front();
    path.push_back(cur->get_name());
  }
  if (path.empty()) path.emplace_back();
  return path;
}

void log_command(CLI::App& app, const std::vector<std::string>& args, std::string_view msg) {
  std::string cmd, joined;
  for (const auto& p : command_path(app)) cmd += (cmd.empty() ? "" : " ") + p;
  for (const auto& x : args) joined += (joined.empty() ? "" : " ") + x;
  log::info(msg, {{"command", cmd}, {"args", joined}});
}

int fail(std::string_view prog, const Error& e) {
  // One line without terminal controls, whatever the message quotes.
  std::string line = escape_unprintable(e.message);
  std::cerr << prog << ": " << line << "\n";
  return kExitUserError;
}

Result<std::string> read_secret_line(std::string_view prompt) {
  bool tty = ::isatty(0);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(0, &old);
    termios noecho = old;
    noecho.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(0, TCSANOW, &noecho);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(0, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!got && line.empty()) return user_error("no password on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace mox
