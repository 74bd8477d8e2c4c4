#include <filesystem>

#include "admin/admin.h"
#include "crypto/cert.h"
#include "crypto/keys.h"
#include "dkim/dnsrecord.h"
#include "smtp/address.h"
#include "util/fs.h"

namespace mox::admin {

Result<std::string> dns_records(const config::Config& c, const std::string& domain) {
  MOX_ASSIGN(smtp::Domain dn, smtp::Domain::parse(domain));
  const config::Domain* d = c.domain(dn.str());
  if (!d) return user_error("domain \"" + dn.str() + "\" does not exist");
  const std::string& host = c.static_config().hostname;
  const std::string dom = dn.str() + ".";
  std::string out;
  out += "; Zone file records for " + dn.str() + " (replace or merge with existing ones).\n";
  if (d->disabled) out += "; Note: the domain is disabled in domains.conf.\n";
  out += "\n; Mail for the domain is delivered to this server (RFC 5321 §5.1).\n";
  out += dom + "\tIN MX 10 " + host + ".\n";
  out += "\n; SPF (RFC 7208): only the MX hosts send mail for the domain.\n";
  out += dom + "\tIN TXT \"v=spf1 mx ~all\"\n";
  out += host + ".\tIN TXT \"v=spf1 a -all\"\n";
  if (d->dmarc) {
    std::string rua =
        d->dmarc->localpart + "@" + (d->dmarc->domain.empty() ? dn.str() : d->dmarc->domain);
    out += "\n; DMARC (RFC 7489) policy and aggregate report address.\n";
    out += "_dmarc." + dom + "\tIN TXT \"v=DMARC1;p=reject;rua=mailto:" + rua + "!10m\"\n";
  }
  if (d->tlsrpt) {
    std::string rua =
        d->tlsrpt->localpart + "@" + (d->tlsrpt->domain.empty() ? dn.str() : d->tlsrpt->domain);
    out += "\n; TLS reporting (RFC 8460).\n";
    out += "_smtp._tls." + dom + "\tIN TXT \"v=TLSRPTv1; rua=mailto:" + rua + "\"\n";
  }
  if (!d->dkim.selectors.empty()) {
    out += "\n; DKIM public keys (RFC 6376 §3.6.1); long values are split into strings.\n";
  }
  for (const auto& [sel, s] : d->dkim.selectors) {
    MOX_ASSIGN(std::string pem, read_file(c.config_path(s.private_key_file)));
    MOX_ASSIGN(crypto::PKeyPtr key, crypto::load_private_key_pem(pem));
    MOX_ASSIGN(std::string value, dkim::txt_record_value(key.get()));
    bool signing = false;
    for (const auto& x : d->dkim.sign) signing |= x == sel;
    out += sel + "._domainkey." + dom + "\tIN TXT ( " + dkim::zone_txt_strings(value) + " )" +
           (signing ? "" : " ; spare, not signing") + "\n";
  }
  std::string client = d->client_settings_domain.empty() ? host : d->client_settings_domain;
  out += "\n; Client settings (RFC 6186, RFC 8314): mail clients find the servers here.\n";
  if (client != host) out += client + ".\tIN CNAME " + host + ".\n";
  out += "_submissions._tcp." + dom + "\tIN SRV 0 1 465 " + client + ".\n";
  out += "_submission._tcp." + dom + "\tIN SRV 0 1 587 " + client + ".\n";
  out += "_imaps._tcp." + dom + "\tIN SRV 0 1 993 " + client + ".\n";
  out += "_imap._tcp." + dom + "\tIN SRV 0 1 143 " + client + ".\n";
  out += "_pop3._tcp." + dom + "\tIN SRV 0 0 0 .\n";
  out += "_pop3s._tcp." + dom + "\tIN SRV 0 0 0 .\n";
  return out;
}

std::vector<std::string> check_files(const config::Config& c) {
  std::vector<std::string> problems;
  for (const auto& [name, d] : c.dynamic().domains) {
    for (const auto& [sel, s] : d.dkim.selectors) {
      std::string p = c.config_path(s.private_key_file);
      auto pem = read_file(p);
      if (!pem) {
        problems.push_back("domain " + name + ": DKIM selector " + sel + ": " +
                           pem.error().message);
        continue;
      }
      auto key = crypto::load_private_key_pem(*pem);
      if (!key) {
        problems.push_back("domain " + name + ": DKIM selector " + sel + ": " + p + ": " +
                           key.error().message);
      }
    }
  }
  for (const auto& [lname, l] : c.static_config().listeners) {
    if (!l.tls) continue;
    for (const auto& kc : l.tls->key_certs) {
      auto cert = read_file(c.config_path(kc.cert_file));
      auto key = read_file(c.config_path(kc.key_file));
      std::string where = "listener " + lname + ": ";
      if (!cert) {
        problems.push_back(where + cert.error().message);
      } else if (auto x = crypto::load_cert_pem(*cert); !x) {
        problems.push_back(where + kc.cert_file + ": " + x.error().message);
      }
      if (!key) {
        problems.push_back(where + key.error().message);
      } else if (auto k = crypto::load_private_key_pem(*key); !k) {
        problems.push_back(where + kc.key_file + ": " + k.error().message);
      }
    }
  }
  return problems;
}

}  // namespace mox::admin
