// Verb handlers of mox-dkim: each reads standard input, calls into
// lib/dkim or lib/dns, and writes standard output. They return the exit
// status (0 ok, 1 failure with one line on stderr).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace moxdkim {

struct Args {
  std::string config;
  std::vector<std::string> pos;  // positional arguments of the verb
  int bits = 2048;
  std::string domain, selector, key_file, expiration, from_config, identity, zone_file;
  std::vector<std::string> headers;
  bool relaxed = false, no_seal = false, allow_sha1 = false;
  int64_t now = 0;  // unix seconds; 0: the current time
};

int genrsa(const Args& a);
int gened25519(const Args& a);
int txt(const Args& a);
int sign(const Args& a);
int verify(const Args& a);
int lookup(const Args& a);

}  // namespace moxdkim
