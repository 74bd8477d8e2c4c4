// mox-sendmail: sendmail-compatible submission of the message on standard
// input to the configured submission server (man page
// mox-sendmail(8)).
#include <iostream>
#include <string>
#include <vector>

#include "common/testenv.h"
#include "net/activation.h"
#include "sendmail/args.h"
#include "sendmail/submit.h"

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  std::vector<std::string> argv_rest(argv + 1, argv + argc);
  auto args = mox::sendmail::parse_args(argv_rest);
  if (!args) {
    std::cerr << "mox-sendmail: " << args.error().message
              << "\nRun with --help for more information.\n";
    return 2;
  }
  if (args->help) {
    std::cout << mox::sendmail::usage();
    return 0;
  }
  if (args->version) {
    std::cout << "mox-sendmail (mox-cpp) " MOX_VERSION "\n";
    return 0;
  }
  mox::net::ignore_sigpipe();
  return mox::sendmail::run(*args);
}
