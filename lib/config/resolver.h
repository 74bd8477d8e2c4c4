// The DNS resolver that mox.conf's DNS section describes (mox.conf(5)):
// a zone file, or libunbound with the configured name servers and timeout.
// Every program that looks names up (mox-smtpd's checks of incoming mail,
// mox-queue, mox-spf, mox-dmarc) builds its resolver here, so all of them
// answer alike.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "dns/resolver.h"
#include "util/result.h"

namespace mox::config {

// `zone_file_override`: a zone file named on the command line (--zone-file),
// taken as given instead of the configured one.
Result<std::unique_ptr<dns::Resolver>> make_resolver(const Config& cfg,
                                                     const std::string& zone_file_override = "");

// What a command-line tool (mox-spf, mox-dmarc) looks names up with: the
// configuration of --config (`config_flag`, else MOX_CONFIG or the default
// path) and its resolver; when no configuration was named and the default
// one does not exist, no configuration and the zone file given, or the
// system's resolver without one, so that the tools also work on their own.
struct ToolResolver {
  std::shared_ptr<const Config> cfg;  // null without a configuration
  std::unique_ptr<dns::Resolver> resolver;
};
Result<ToolResolver> tool_resolver(const std::string& config_flag, const std::string& zone_file);

}  // namespace mox::config
