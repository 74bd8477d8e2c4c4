#include "config/resolver.h"

#include <chrono>

namespace mox::config {

Result<std::unique_ptr<dns::Resolver>> make_resolver(const Config& cfg,
                                                     const std::string& zone_file_override) {
  const DNSConfig& d = cfg.static_config().dns;
  dns::ResolverOptions o;
  if (!zone_file_override.empty()) {
    o.zone_file = zone_file_override;
  } else if (!d.zone_file.empty()) {
    o.zone_file = cfg.config_path(d.zone_file);
  }
  o.nameservers = d.nameservers;
  o.forwarders = d.forwarders;
  if (d.timeout.count() > 0) {
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(d.timeout);
  }
  return dns::make_resolver(o);
}

}  // namespace mox::config
