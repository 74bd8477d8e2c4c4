// Verb handlers of mox-dmarc: each calls into lib/dmarc and writes standard
// output, and returns the exit status (0 when a result was computed, 1 on
// a user error with one line on stderr).
#pragma once

#include <string>
#include <vector>

namespace moxdmarc {

struct Args {
  std::string config;
  std::vector<std::string> pos;  // positional arguments of the verb
  std::string zone_file;         // --zone-file: answer DNS from this file
  std::string psl;               // --psl: the Public Suffix List file
  // verify: the SMTP connection the message came over.
  std::string ip, mail_from, helo, hostname;
};

int lookup(const Args& a);
int verify(const Args& a);

}  // namespace moxdmarc
