// mox-tlspubkey: TLS client-certificate public keys of accounts
// (mox-tlspubkey(8); man page mox-tlspubkey(8)).
#include <functional>
#include <string>

#include "cli/cli.h"
#include "common/testenv.h"
#include "verbs.h"

namespace {

constexpr auto& verb = mox::add_verb<moxtlspubkey::Args>;

// A fingerprint is base64url and may start with "-", which the option
// parser would take for an option: such an argument (43 characters, all
// base64url) is moved behind a "--". The verbs taking one have no other
// positional argument.
std::vector<std::string> fingerprints_last(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc), fps;
  bool dashdash = false;
  std::vector<std::string> out;
  for (const auto& arg : args) {
    dashdash = dashdash || arg == "--";
    bool fp = !dashdash && arg.size() == 43 && arg[0] == '-' && arg[1] != '-' &&
              arg.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789-_") == std::string::npos;
    (fp ? fps : out).push_back(arg);
  }
  if (!fps.empty()) {
    if (!dashdash) out.push_back("--");
    out.insert(out.end(), fps.begin(), fps.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  moxcmd::install_crashpoint();
  mox::VerbProgram<moxtlspubkey::Args> program(
      "TLS client-certificate public keys that log in to accounts.", "mox-tlspubkey");
  auto& [a, app, chosen] = program;

  verb(app, "add", "Add the certificate on stdin (PEM) for ADDRESS's account, named NAME",
       {"ADDRESS", "NAME?"}, a, moxtlspubkey::add, chosen)
      ->add_flag("--no-imap-preauth", a.no_imap_preauth,
                 "IMAP: no PREAUTH greeting, the client authenticates itself");
  verb(app, "rm", "Remove the key with FINGERPRINT", {"FINGERPRINT"}, a, moxtlspubkey::rm, chosen);
  verb(app, "list", "List the keys (of ACCOUNT)", {"ACCOUNT?"}, a, moxtlspubkey::list, chosen)
      ->add_flag("--json", a.json, "JSON lines");
  verb(app, "get", "Print the key with FINGERPRINT and its certificate", {"FINGERPRINT"}, a,
       moxtlspubkey::get, chosen)
      ->add_flag("--json", a.json, "JSON");
  verb(app, "gen", "Make an ed25519 key and minimal certificate in files STEM.*", {"STEM"}, a,
       moxtlspubkey::gen, chosen);
  verb(app, "openssl", "Show how to make a key, certificate and .p12 with openssl", {}, a,
       moxtlspubkey::openssl_help, chosen);

  std::vector<std::string> args = fingerprints_last(argc, argv);
  std::vector<char*> av;
  for (auto& s : args) av.push_back(s.data());
  return program.run(static_cast<int>(av.size()), av.data());
}
