// Verb handlers of mox-config: each turns parsed arguments into a call into
// lib/admin and prints the result.
#pragma once

#include <string>
#include <vector>

namespace moxconfig {

struct Args {
  std::string config;
  std::vector<std::string> pos;  // positional arguments of the verb
  bool json = false, all = false, disabled = false, ed25519 = false, local = false;
  bool recursive = false;
  std::string dir, hostname, user;
};

int quickstart(const Args& a);
int domain_add(const Args& a);
int domain_rm(const Args& a);
int domain_disable(const Args& a, bool disabled);
int domain_list(const Args& a);
int account_add(const Args& a);
int account_rm(const Args& a);
int account_list(const Args& a);
int account_addresses(const Args& a);
int account_disable(const Args& a);
int account_enable(const Args& a);
int account_password(const Args& a);
int account_genpassword(const Args& a);
int address_add(const Args& a);
int address_rm(const Args& a);
int address_account(const Args& a);
int dnsrecords(const Args& a);
int test(const Args& a);
int loginattempts(const Args& a);
int cleanup(const Args& a);
int import_maildir(const Args& a);  // import.cc
int import_mbox(const Args& a);
int tlspubkey(const std::vector<std::string>& global, int argc, char** argv);

}  // namespace moxconfig
