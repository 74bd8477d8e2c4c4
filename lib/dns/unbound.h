// The real resolver: libunbound, a validating recursive/forwarding resolver
// inside the process. It forwards to the name servers of resolv.conf (or to
// `forwarders`), answers names of the hosts file locally, and validates
// DNSSEC itself when the root trust anchor (RFC 7958; Debian's
// dns-root-data) is present, so `authentic` does not depend on an upstream's
// AD bit.
//
// Each lookup is bounded by `timeout`; a lookup that runs out of time is
// cancelled and reported as kTemporary. Thread-safe: lookups of many
// threads run at the same time on one libunbound context (one slow name
// holds only its own caller), sharing its cache; a thread of the resolver
// delivers the answers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "util/result.h"

namespace mox::dns {

struct UnboundOptions {
  // Forward to the "nameserver" lines of this file; empty: do not read one.
  std::string resolv_conf = "/etc/resolv.conf";
  // Answer names in this hosts file locally; empty: none.
  std::string hosts = "/etc/hosts";
  // DNSSEC trust anchor file (DS or DNSKEY records), used only if it exists.
  std::string trust_anchor = "/usr/share/dns/root.key";
  // More forwarders, "IP" or "IP@port", after those of resolv_conf.
  std::vector<std::string> forwarders;
  std::chrono::milliseconds timeout{10000};
};

// Errors: kUser for unreadable files or bad forwarder addresses (naming the
// file or address), kInternal if libunbound cannot start.
Result<std::unique_ptr<Resolver>> make_unbound_resolver(const UnboundOptions& options);

}  // namespace mox::dns
