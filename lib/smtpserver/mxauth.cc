#include "smtpserver/mxauth.h"

#include "config/resolver.h"

namespace mox::smtpserver {

MxAuth::MxAuth(config::ConfigCache* cache, std::string hostname, std::string psl_path)
    : cache_(cache), psl_path_(std::move(psl_path)) {
  env_.hostname = std::move(hostname);
  env_.dkim.key_cache = &key_cache_;
  env_.pool = &pool_;
}

Result<const mailauth::Env*> MxAuth::env() {
  MutexLock lock(mu_);
  if (ready_) return static_cast<const mailauth::Env*>(&env_);
  std::shared_ptr<const config::Config> cfg = cache_->get();
  MOX_ASSIGN(resolver_, config::make_resolver(*cfg));
  MOX_ASSIGN(auto psl, dmarc::PublicSuffixList::load(psl_path_));
  psl_.emplace(std::move(psl));
  env_.resolver = resolver_.get();
  env_.psl = &*psl_;
  config::ConfigCache* cache = cache_;
  env_.ours = [cache](std::string_view domain) {
    return cache->get()->domain(std::string(domain)) != nullptr;
  };
  ready_ = true;
  return static_cast<const mailauth::Env*>(&env_);
}

}  // namespace mox::smtpserver
