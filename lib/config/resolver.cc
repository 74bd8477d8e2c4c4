#include "config/resolver.h"

#include <chrono>

#include "util/fs.h"

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

Result<ToolResolver> tool_resolver(const std::string& config_flag, const std::string& zone_file) {
  ToolResolver t;
  std::string path = default_config_path(config_flag);
  if (config_flag.empty() && !path_exists(path)) {
    MOX_ASSIGN(t.resolver, dns::make_resolver(zone_file));
    return t;
  }
  MOX_ASSIGN(t.cfg, Config::load(path));
  MOX_ASSIGN(t.resolver, make_resolver(*t.cfg, zone_file));
  return t;
}

}  // namespace mox::config
