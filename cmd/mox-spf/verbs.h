// Verb handlers of mox-spf: each calls into lib/spf with a resolver from
// mox.conf's DNS settings (or a zone file) and writes standard output.
// They return the exit status: 0 when a result was computed, whatever it
// is; 1 on a user error (one line on stderr).
#pragma once

#include <string>
#include <vector>

namespace moxspf {

struct Args {
  std::string config;
  std::vector<std::string> pos;  // positional arguments of the verb
  std::string ip, mail_from, helo, receiver, zone_file;
  bool json = false;
};

int check(const Args& a);
int lookup(const Args& a);
int parse(const Args& a);

}  // namespace moxspf
