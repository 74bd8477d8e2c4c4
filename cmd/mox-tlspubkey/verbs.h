// Verb handlers of mox-tlspubkey: each turns parsed arguments into a call
// into lib/auth and prints the result (exit 0), or one line on stderr
// (exit 1).
#pragma once

#include <string>
#include <vector>

namespace moxtlspubkey {

struct Args {
  std::string config;
  std::vector<std::string> pos;  // positional arguments of the verb
  bool json = false, no_imap_preauth = false;
};

int add(const Args& a);
int rm(const Args& a);
int list(const Args& a);
int get(const Args& a);
int gen(const Args& a);
int openssl_help(const Args& a);

}  // namespace moxtlspubkey
