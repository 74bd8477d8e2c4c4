#include <unistd.h>

#include <filesystem>

#include "admin/admin.h"
#include "admin/internal.h"
#include "admin/names.h"
#include "crypto/cert.h"
#include "crypto/keys.h"
#include "smtp/address.h"
#include "util/fs.h"

namespace mox::admin {
namespace fs = std::filesystem;
namespace {

std::string default_hostname(const std::string& domain) {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) == 0 && std::string(buf).find('.') != std::string::npos) {
    return buf;
  }
  return "mail." + domain;
}

constexpr char kLocalZone[] = "local.zone";

// The domain's records (dns_records) as a zone file for the zone-file
// resolver (dns/zone.h, which has no SRV), with the host name's address
// and its reverse on loopback.
std::string local_zone(const config::Config& c, const std::string& records) {
  const std::string& host = c.static_config().hostname;
  std::string out =
      "; DNS of this local test setup (mox.conf DNS ZoneFile), made by quickstart --local.\n";
  size_t pos = 0;
  while (pos < records.size()) {
    size_t nl = records.find('\n', pos);
    if (nl == std::string::npos) nl = records.size();
    std::string line = records.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find("\tIN SRV ") == std::string::npos) out += line + "\n";
  }
  out += "\n; The host on loopback, forward and reverse (iprev, RFC 8601 §3).\n";
  out += host + ".\tIN A 127.0.0.1\n";
  out += "1.0.0.127.in-addr.arpa.\tIN PTR " + host + ".\n";
  return out;
}

config::Static make_static(const std::string& hostname, const std::string& account,
                           const std::string& user, bool local, const std::string& cert,
                           const std::string& key) {
  config::Static st;
  st.data_dir = "../data";
  st.log_level = "info";
  st.hostname = hostname;
  st.user = user.empty() ? "mox" : user;
  st.postmaster = {account, "Postmaster"};
  config::Listener l;
  l.ips = local ? std::vector<std::string>{"127.0.0.1"} : std::vector<std::string>{"0.0.0.0", "::"};
  l.tls = config::TLSConfig{};
  l.tls->key_certs.push_back({cert, key});
  l.smtp.enabled = l.submission.enabled = l.submissions.enabled = true;
  l.imap.enabled = l.imaps.enabled = true;
  if (local) {
    l.smtp.port = 1025;
    l.submission.port = 1587;
    l.submissions.port = 1465;
    l.imap.port = 1143;
    l.imaps.port = 1993;
  }
  st.listeners["public"] = l;
  return st;
}

}  // namespace

Result<QuickstartResult> quickstart(const std::string& address, const QuickstartOptions& opts) {
  MOX_ASSIGN(smtp::Address a, smtp::Address::parse(address));
  MOX_TRY(check_address_key(a.str()));
  std::string account = a.localpart().value();
  for (char& ch : account) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (auto n = AccountName::parse(account); !n) {
    return user_error("the localpart cannot be used as account name: " + n.error().message);
  }
  if (!opts.user.empty()) MOX_TRY(check_unix_user(opts.user));
  std::string confdir = (fs::path(opts.dir) / "config").lexically_normal().string();
  std::string static_path = confdir + "/mox.conf";
  for (const char* f : {"/mox.conf", "/domains.conf"}) {
    if (path_exists(confdir + f)) return user_error(confdir + f + " already exists");
  }
  std::string hostname = opts.hostname.empty() ? default_hostname(a.domain().str()) : opts.hostname;
  MOX_ASSIGN(smtp::Domain host, smtp::Domain::parse(hostname));
  MOX_TRY(check_domain_name(host.str()));
  MOX_TRY(mkdir_all(confdir + "/tls", 0770));
  MOX_TRY(mkdir_all((fs::path(opts.dir) / "data").string(), 0770));

  // A self-signed certificate so that STARTTLS and implicit TLS work at once.
  MOX_ASSIGN(crypto::PKeyPtr tlskey, crypto::generate_ecdsa("P-256"));
  MOX_ASSIGN(std::string keypem, crypto::private_key_pkcs8_pem(tlskey.get()));
  MOX_ASSIGN(std::string certpem, crypto::self_signed_cert_pem(tlskey.get(), host.str(), {}, 3650));
  std::string cert_rel = "tls/" + host.str() + ".cert.pem",
              key_rel = "tls/" + host.str() + ".key.pem";
  MOX_TRY(write_file_atomic(confdir + "/" + key_rel, keypem, 0600));
  MOX_TRY(write_file_atomic(confdir + "/" + cert_rel, certpem, 0644));

  config::Static st = make_static(host.str(), account, opts.user, opts.local, cert_rel, key_rel);
  // A local test setup answers DNS from a zone file of its own records, so
  // that the MX's checks of incoming mail (SPF, DKIM, DMARC, iprev) have
  // answers without the internet: mail from 127.0.0.1 passes for the domain.
  if (opts.local) st.dns.zone_file = kLocalZone;
  std::vector<std::string> created;
  MOX_ASSIGN(config::Domain dc,
             make_domain_config(confdir, a.domain().str(), account, false, created));
  config::Dynamic dyn;
  dyn.domains[a.domain().str()] = dc;
  config::Account acc;
  acc.domain = a.domain().str();
  acc.destinations[a.str()] = {};
  acc.no_custom_password = true;
  dyn.accounts[account] = acc;
  MOX_TRY(check_new_values(config::Dynamic{}, dyn));
  MOX_ASSIGN(ConfigPtr c, config::Config::make(static_path, st, dyn));
  MOX_ASSIGN(std::string dyn_text, config::checked_dynamic_text(*c));
  MOX_ASSIGN(std::string static_text, config::checked_static_text(*c));
  MOX_TRY(write_file_atomic(c->dynamic_path(), dyn_text, 0660));
  MOX_TRY(write_file_atomic(static_path, static_text, 0660));

  QuickstartResult r;
  r.config_path = static_path;
  r.account = account;
  r.address = a.str();
  MOX_ASSIGN(r.password, account_generate_password(static_path, account));
  MOX_ASSIGN(r.dns_records, dns_records(*c, a.domain().str()));
  if (opts.local) {
    MOX_TRY(write_file_atomic(confdir + "/" + kLocalZone, local_zone(*c, r.dns_records), 0644));
  }
  return r;
}

}  // namespace mox::admin
