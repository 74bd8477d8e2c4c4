// mox: runs "mox-NAME args..." like git does.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "util/exec.h"

int main(int argc, char** argv) {
  std::string first = argc > 1 ? argv[1] : "";
  if (first.empty() || first == "--help" || first == "-h") {
    std::cout << "usage: mox NAME [ARGS...]\n\n"
                 "Runs mox-NAME ARGS..., found next to mox or on PATH. Programs:\n"
                 "  config     domains, accounts, addresses, passwords (mox-config(8))\n"
                 "  smtpd      SMTP server: MX, submission (mox-smtpd(8))\n"
                 "  imapd      IMAP server (mox-imapd(8))\n"
                 "  queue      outgoing queue (mox-queue(8))\n"
                 "  dkim       DKIM keys and signatures (mox-dkim(1))\n"
                 "  tlspubkey  TLS client certificate keys (mox-tlspubkey(8))\n"
                 "  sendmail   sendmail-compatible submission (mox-sendmail(8))\n";
    return first.empty() ? mox::kExitUsage : 0;
  }
  if (first == "--version") {
    std::cout << "mox (mox-cpp) " MOX_VERSION "\n";
    return 0;
  }
  if (first[0] == '-') {
    std::cerr << "mox: unknown option " << first << "\nRun with --help for more information.\n";
    return mox::kExitUsage;
  }
  auto path = mox::find_program("mox-" + first);
  if (!path) {
    (void)mox::fail("mox", path.error());
    return mox::kExitUsage;  // an unknown program name is a usage error
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  return mox::fail("mox", mox::exec_program(*path, args));
}
