#include "config/types.h"

#include <algorithm>
#include <set>

#include "smtp/address.h"

namespace mox::config {
namespace {

const Schema<KeyCert>& key_cert_schema() {
  static const Schema<KeyCert> s =
      Schema<KeyCert>()
          .str("CertFile", &KeyCert::cert_file,
               "PEM certificate chain file, leaf first; relative to the config directory.")
          .str("KeyFile", &KeyCert::key_file,
               "PEM private key file (PKCS#8, PKCS#1 or SEC1); relative to the config directory.")
          .check([](KeyCert& k, const Node& n, const DecodeCtx& c) -> Status {
            if (k.cert_file.empty() || k.key_file.empty()) {
              return field_error(c, n, "both CertFile and KeyFile are required");
            }
            return {};
          });
  return s;
}

const Schema<TLSConfig>& tls_schema() {
  static const Schema<TLSConfig> s =
      Schema<TLSConfig>()
          .list("KeyCerts", &TLSConfig::key_certs, key_cert_schema(),
                "Certificates and keys served; the first matching the SNI name is used.")
          .str("MinVersion", &TLSConfig::min_version,
               "Minimum TLS version: TLSv1.2 (default) or TLSv1.3.")
          .boolean("ClientAuthDisabled", &TLSConfig::client_auth_disabled,
                   "Do not request TLS client certificates on submission and IMAP.")
          .check([](TLSConfig& t, const Node& n, const DecodeCtx& c) -> Status {
            if (!t.min_version.empty() && t.min_version != "TLSv1.2" &&
                t.min_version != "TLSv1.3") {
              return field_error(c, n, "MinVersion must be TLSv1.2 or TLSv1.3");
            }
            return {};
          });
  return s;
}

Status check_port(int64_t port, const Node& n, const DecodeCtx& c) {
  if (port < 0 || port > 65535) return field_error(c, n, "Port must be between 0 and 65535");
  return {};
}

const Schema<SMTPListener>& smtp_schema() {
  static const Schema<SMTPListener> s =
      Schema<SMTPListener>()
          .boolean("Enabled", &SMTPListener::enabled, "Accept incoming mail (MX) with SMTP.")
          .integer("Port", &SMTPListener::port, "Port, default 25.")
          .boolean("NoSTARTTLS", &SMTPListener::no_starttls, "Do not offer STARTTLS.")
          .boolean("RequireSTARTTLS", &SMTPListener::require_starttls,
                   "Refuse mail transactions before STARTTLS.")
          .check([](SMTPListener& l, const Node& n, const DecodeCtx& c) {
            return check_port(l.port, n, c);
          });
  return s;
}

const Schema<SubmissionListener>& submission_schema() {
  static const Schema<SubmissionListener> s =
      Schema<SubmissionListener>()
          .boolean("Enabled", &SubmissionListener::enabled, "Accept submission with STARTTLS.")
          .integer("Port", &SubmissionListener::port, "Port, default 587.")
          .boolean("NoRequireSTARTTLS", &SubmissionListener::no_require_starttls,
                   "Allow authentication without TLS (not recommended).")
          .check([](SubmissionListener& l, const Node& n, const DecodeCtx& c) {
            return check_port(l.port, n, c);
          });
  return s;
}

Schema<ImplicitTLSListener> make_implicit_schema(const char* what, const char* port_doc) {
  Schema<ImplicitTLSListener> s;
  s.boolean("Enabled", &ImplicitTLSListener::enabled, what)
      .integer("Port", &ImplicitTLSListener::port, port_doc)
      .check([](ImplicitTLSListener& l, const Node& n, const DecodeCtx& c) {
        return check_port(l.port, n, c);
      });
  return s;
}

const Schema<ImplicitTLSListener>& submissions_schema() {
  static const Schema<ImplicitTLSListener> s =
      make_implicit_schema("Accept submission with implicit TLS.", "Port, default 465.");
  return s;
}

const Schema<ImplicitTLSListener>& imaps_schema() {
  static const Schema<ImplicitTLSListener> s =
      make_implicit_schema("Serve IMAP with implicit TLS.", "Port, default 993.");
  return s;
}

const Schema<IMAPListener>& imap_schema() {
  static const Schema<IMAPListener> s =
      Schema<IMAPListener>()
          .boolean("Enabled", &IMAPListener::enabled, "Serve IMAP with STARTTLS.")
          .integer("Port", &IMAPListener::port, "Port, default 143.")
          .boolean("NoRequireSTARTTLS", &IMAPListener::no_require_starttls,
                   "Allow LOGIN and AUTHENTICATE PLAIN without TLS (not recommended).")
          .check([](IMAPListener& l, const Node& n, const DecodeCtx& c) {
            return check_port(l.port, n, c);
          });
  return s;
}

const Schema<Listener>& listener_schema() {
  static const Schema<Listener> s =
      Schema<Listener>()
          .strings("IPs", &Listener::ips, "IP addresses to listen on (with --listen or for docs).")
          .str("Hostname", &Listener::hostname, "Host name for this listener, default Hostname.")
          .optsub("TLS", &Listener::tls, tls_schema(), "TLS configuration of this listener.")
          .integer("SMTPMaxMessageSize", &Listener::smtp_max_message_size,
                   "Maximum message size in bytes, default 104857600 (100 MiB).")
          .sub("SMTP", &Listener::smtp, smtp_schema(), "Incoming SMTP (MX) on port 25.")
          .sub("Submission", &Listener::submission, submission_schema(),
               "Message submission with STARTTLS on port 587.")
          .sub("Submissions", &Listener::submissions, submissions_schema(),
               "Message submission with implicit TLS on port 465.")
          .sub("IMAP", &Listener::imap, imap_schema(), "IMAP with STARTTLS on port 143.")
          .sub("IMAPS", &Listener::imaps, imaps_schema(), "IMAP with implicit TLS on port 993.")
          .check([](Listener& l, const Node& n, const DecodeCtx& c) -> Status {
            bool wants_tls = l.submissions.enabled || l.imaps.enabled;
            if (wants_tls && (!l.tls || l.tls->key_certs.empty())) {
              return field_error(c, n, "Submissions and IMAPS need TLS with KeyCerts");
            }
            if (l.smtp_max_message_size < 0)
              return field_error(c, n, "SMTPMaxMessageSize is negative");
            return {};
          });
  return s;
}

const Schema<Postmaster>& postmaster_schema() {
  static const Schema<Postmaster> s =
      Schema<Postmaster>()
          .str("Account", &Postmaster::account,
               "Account that receives mail to postmaster@ any domain.")
          .str("Mailbox", &Postmaster::mailbox, "Mailbox for postmaster mail, default Inbox.");
  return s;
}

const Schema<DNSConfig>& dns_schema() {
  static const Schema<DNSConfig> s =
      Schema<DNSConfig>()
          .str("ZoneFile", &DNSConfig::zone_file,
               "Answer every DNS lookup from this zone file (tests, isolated setups); "
               "relative to the config directory. Default: the system's resolver.")
          .strings(
              "Nameservers", &DNSConfig::nameservers,
              "Name servers, \"IP\" or \"IP@port\", asked instead of those of /etc/resolv.conf.")
          .strings("Forwarders", &DNSConfig::forwarders,
                   "Extra name servers, \"IP\" or \"IP@port\", after those of /etc/resolv.conf.")
          .duration("Timeout", &DNSConfig::timeout,
                    "Time one lookup may take before it fails as temporary; default 10s.");
  return s;
}

const Schema<QueueConfig>& queue_schema() {
  static const Schema<QueueConfig> s =
      Schema<QueueConfig>()
          .integer("Port", &QueueConfig::port,
                   "TCP port of remote mail servers, default 25 (other values for tests).")
          .boolean("VerifyTLS", &QueueConfig::verify_tls,
                   "Require STARTTLS with a certificate that verifies for the MX host name.")
          .str("CAFile", &QueueConfig::ca_file,
               "CA certificates for VerifyTLS, PEM; default the system's store.")
          .integer("MaxAttempts", &QueueConfig::max_attempts,
                   "Delivery attempts before a message fails, default 8.")
          .check([](QueueConfig& q, const Node& n, const DecodeCtx& c) -> Status {
            if (q.port < 0 || q.port > 65535) return field_error(c, n, "Port out of range");
            if (q.max_attempts < 0 || q.max_attempts > 20) {
              return field_error(c, n, "MaxAttempts must be between 1 and 20");
            }
            return {};
          });
  return s;
}

const Schema<ConnectionLimits>& connection_limits_schema() {
  static const Schema<ConnectionLimits> s =
      Schema<ConnectionLimits>()
          .integer("RatePerMinute", &ConnectionLimits::rate_per_minute,
                   "New connections per minute per IPv4 address or IPv6 /64 and server, default "
                   "300; -1: no limit.")
          .integer("Concurrent", &ConnectionLimits::concurrent,
                   "Open connections per IPv4 address or IPv6 /64 and server, default 30; -1: no "
                   "limit.")
          .boolean("LimitLoopback", &ConnectionLimits::limit_loopback,
                   "Limit loopback addresses too; by default they are exempt.")
          .check([](ConnectionLimits& l, const Node& n, const DecodeCtx& c) -> Status {
            if (l.rate_per_minute < -1 || l.concurrent < -1) {
              return field_error(c, n, "limits must be positive, 0 (default) or -1 (no limit)");
            }
            return {};
          });
  return s;
}

bool printable_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

}  // namespace

const Schema<Static>& static_schema() {
  static const Schema<Static> s =
      Schema<Static>()
          .str("DataDir", &Static::data_dir,
               "Directory with all databases and messages; relative to the config directory.")
          .str("LogLevel", &Static::log_level, "One of error, info, debug, trace. Default info.")
          .str("Hostname", &Static::hostname, "Fully qualified host name of this mail server.")
          .str("User", &Static::user, "Unprivileged user the servers run as, default mox.")
          .sub("Postmaster", &Static::postmaster, postmaster_schema(),
               "Destination of mail to postmaster@.")
          .map("Listeners", &Static::listeners, listener_schema(),
               "Named listeners; a server's --listener picks one (default \"public\").")
          .sub("DNS", &Static::dns, dns_schema(), "How DNS lookups are answered.")
          .sub("Queue", &Static::queue, queue_schema(), "Outgoing queue (mox-queue).")
          .integer("QuotaMessageSize", &Static::quota_message_size,
                   "Default maximum total size of an account's stored messages in bytes, for "
                   "accounts that set none; 0: no limit.")
          .sub("ConnectionLimits", &Static::connection_limits, connection_limits_schema(),
               "Per-IP connection limits of mox-smtpd and mox-imapd.")
          .check([](Static& st, const Node& n, const DecodeCtx& c) -> Status {
            if (st.quota_message_size < 0) return field_error(c, n, "QuotaMessageSize is negative");
            if (st.data_dir.empty()) return field_error(c, n, "DataDir is required");
            if (st.hostname.empty()) return field_error(c, n, "Hostname is required");
            if (auto d = smtp::Domain::parse(st.hostname); !d) {
              return field_error(c, n, "Hostname: " + d.error().message);
            }
            static const std::set<std::string> levels = {"", "error", "info", "debug", "trace"};
            if (!levels.count(st.log_level)) return field_error(c, n, "LogLevel: unknown level");
            if (st.postmaster.account.empty())
              return field_error(c, n, "Postmaster.Account is required");
            return {};
          });
  return s;
}

namespace {

const Schema<Canonicalization>& canon_schema() {
  static const Schema<Canonicalization> s =
      Schema<Canonicalization>()
          .boolean("HeaderRelaxed", &Canonicalization::header_relaxed,
                   "Relaxed header canonicalization (RFC 6376 §3.4.2); default simple.")
          .boolean("BodyRelaxed", &Canonicalization::body_relaxed,
                   "Relaxed body canonicalization (RFC 6376 §3.4.4); default simple.");
  return s;
}

const Schema<DKIMSelector>& selector_schema() {
  static const Schema<DKIMSelector> s =
      Schema<DKIMSelector>()
          .str("Hash", &DKIMSelector::hash, "sha256 (default) or sha1.")
          .sub("Canonicalization", &DKIMSelector::canonicalization, canon_schema(),
               "Header and body canonicalization.")
          .strings("Headers", &DKIMSelector::headers,
                   "Header fields to sign; empty: a default list.")
          .boolean("DontSealHeaders", &DKIMSelector::dont_seal_headers,
                   "Do not over-sign headers (sealing prevents added headers).")
          .duration("Expiration", &DKIMSelector::expiration,
                    "Signature lifetime, sets x= (e.g. 72h); 0: no expiration.")
          .str("PrivateKeyFile", &DKIMSelector::private_key_file,
               "PKCS#8 PEM private key (RSA or ed25519); relative to the config directory.")
          .check([](DKIMSelector& sel, const Node& n, const DecodeCtx& c) -> Status {
            if (sel.hash != "" && sel.hash != "sha256" && sel.hash != "sha1") {
              return field_error(c, n, "Hash must be sha256 or sha1");
            }
            if (sel.private_key_file.empty())
              return field_error(c, n, "PrivateKeyFile is required");
            return {};
          });
  return s;
}

const Schema<DKIM>& dkim_schema() {
  static const Schema<DKIM> s =
      Schema<DKIM>()
          .map("Selectors", &DKIM::selectors, selector_schema(), "DKIM selectors by name.")
          .strings("Sign", &DKIM::sign, "Selectors used for signing outgoing mail.")
          .check([](DKIM& d, const Node& n, const DecodeCtx& c) -> Status {
            std::set<std::string> seen;
            for (const auto& sel : d.sign) {
              if (!d.selectors.count(sel)) {
                return field_error(c, n, "Sign: selector \"" + sel + "\" not in Selectors");
              }
              if (!seen.insert(sel).second) {
                return field_error(c, n, "Sign: duplicate selector \"" + sel + "\"");
              }
            }
            return {};
          });
  return s;
}

const Schema<ReportingAddress>& reporting_schema() {
  static const Schema<ReportingAddress> s =
      Schema<ReportingAddress>()
          .str("Localpart", &ReportingAddress::localpart, "Localpart that receives reports.")
          .str("Domain", &ReportingAddress::domain, "Domain of the address, default this domain.")
          .str("Account", &ReportingAddress::account, "Account that receives the reports.")
          .str("Mailbox", &ReportingAddress::mailbox, "Mailbox for the reports.")
          .check([](ReportingAddress& r, const Node& n, const DecodeCtx& c) -> Status {
            if (r.localpart.empty() || r.account.empty() || r.mailbox.empty()) {
              return field_error(c, n, "Localpart, Account and Mailbox are required");
            }
            return {};
          });
  return s;
}

const Schema<Domain>& domain_schema() {
  static const Schema<Domain> s =
      Schema<Domain>()
          .str("Description", &Domain::description, "Free-form description.")
          .str("ClientSettingsDomain", &Domain::client_settings_domain,
               "Host name mail clients are told to use, e.g. mail.example.com.")
          .str("LocalpartCatchallSeparator", &Domain::localpart_catchall_separator,
               "Separator such as + : you+tag@ is delivered to you@.")
          .strings("LocalpartCatchallSeparators", &Domain::localpart_catchall_separators,
                   "Several separators; cannot be combined with LocalpartCatchallSeparator.")
          .boolean("LocalpartCaseSensitive", &Domain::localpart_case_sensitive,
                   "Match localparts case-sensitively; default: lower-case before matching.")
          .boolean("Disabled", &Domain::disabled,
                   "Refuse mail from and to this domain with temporary errors (migrations).")
          .sub("DKIM", &Domain::dkim, dkim_schema(), "DKIM signing keys.")
          .optsub("DMARC", &Domain::dmarc, reporting_schema(),
                  "Address that receives DMARC aggregate reports.")
          .optsub("TLSRPT", &Domain::tlsrpt, reporting_schema(),
                  "Address that receives TLS reports.")
          .check([](Domain& d, const Node& n, const DecodeCtx& c) -> Status {
            if (!d.localpart_catchall_separator.empty() &&
                !d.localpart_catchall_separators.empty()) {
              return field_error_at(c, n, "LocalpartCatchallSeparators",
                                    "cannot have both LocalpartCatchallSeparator and "
                                    "LocalpartCatchallSeparators");
            }
            d.localpart_catchall_separators_effective = d.localpart_catchall_separators;
            if (!d.localpart_catchall_separator.empty()) {
              d.localpart_catchall_separators_effective = {d.localpart_catchall_separator};
            }
            std::set<std::string> seen;
            for (const auto& sep : d.localpart_catchall_separators_effective) {
              if (sep.empty()) {
                return field_error_at(c, n, "LocalpartCatchallSeparators",
                                      "empty localpart catchall separator");
              }
              if (!seen.insert(sep).second) {
                return field_error_at(c, n, "LocalpartCatchallSeparators",
                                      "duplicate localpart catchall separator \"" + sep + "\"");
              }
            }
            return {};
          });
  return s;
}

const Schema<Destination>& destination_schema() {
  static const Schema<Destination> s = Schema<Destination>().str(
      "Mailbox", &Destination::mailbox, "Mailbox for mail to this address, default Inbox.");
  return s;
}

const Schema<Account>& account_schema() {
  static const Schema<Account> s =
      Schema<Account>()
          .str("Domain", &Account::domain, "Default domain of the account.")
          .str("Description", &Account::description, "Free-form description.")
          .str("FullName", &Account::full_name, "Display name used in From headers.")
          .map("Destinations", &Account::destinations, destination_schema(),
               "Addresses of the account (\"@domain\" for a catchall), with their mailbox.")
          .boolean("NoCustomPassword", &Account::no_custom_password,
                   "The user may only generate passwords, not choose one; admins may set any.")
          .str("LoginDisabled", &Account::login_disabled,
               "If set, logins are refused with this message (at most 256 printable ASCII).")
          .strings("IMAPCapabilitiesDisabled", &Account::imap_capabilities_disabled,
                   "IMAP capabilities not announced nor honoured after login, e.g. QRESYNC.")
          .duration("KeepRetiredMessagePeriod", &Account::keep_retired_message_period,
                    "How long delivered/failed queue messages are kept, e.g. 72h; 0: not kept.")
          .integer("MaxOutgoingMessagesPerDay", &Account::max_outgoing_messages_per_day,
                   "Limit of messages queued for remote recipients per 24 hours, default 1000.")
          .integer("MaxFirstTimeRecipientsPerDay", &Account::max_first_time_recipients_per_day,
                   "Limit of remote recipients never sent to before, per 24 hours, default 200.")
          .integer("QuotaMessageSize", &Account::quota_message_size,
                   "Maximum total size of stored messages in bytes; 0: mox.conf's "
                   "QuotaMessageSize; -1: no limit.")
          .check([](Account& a, const Node& n, const DecodeCtx& c) -> Status {
            if (a.domain.empty()) return field_error(c, n, "Domain is required");
            if (a.login_disabled.size() > 256) {
              return field_error_at(c, n, "LoginDisabled",
                                    "LoginDisabled message longer than 256 characters");
            }
            if (!printable_ascii(a.login_disabled)) {
              return field_error_at(c, n, "LoginDisabled",
                                    "LoginDisabled message must be printable ASCII");
            }
            for (const auto& cap : a.imap_capabilities_disabled) {
              // RFC 9051 §9: a capability is an atom.
              if (cap.empty() || !printable_ascii(cap) ||
                  cap.find_first_of(" (){%*\"\\]") != std::string::npos) {
                return field_error_at(c, n, "IMAPCapabilitiesDisabled",
                                      "not an IMAP capability name: " + cap);
              }
            }
            if (a.max_outgoing_messages_per_day < 0 || a.max_first_time_recipients_per_day < 0 ||
                a.quota_message_size < -1) {
              return field_error(c, n,
                                 "limits cannot be negative (QuotaMessageSize: -1 for no limit)");
            }
            return {};
          });
  return s;
}

}  // namespace

const Schema<Dynamic>& dynamic_schema() {
  static const Schema<Dynamic> s =
      Schema<Dynamic>()
          .map("Domains", &Dynamic::domains, domain_schema(), "Domains by name.")
          .map("Accounts", &Dynamic::accounts, account_schema(), "Accounts by name.");
  return s;
}

int64_t smtp_port(const Listener& l) { return l.smtp.port ? l.smtp.port : 25; }
int64_t submission_port(const Listener& l) { return l.submission.port ? l.submission.port : 587; }
int64_t submissions_port(const Listener& l) {
  return l.submissions.port ? l.submissions.port : 465;
}
int64_t imap_port(const Listener& l) { return l.imap.port ? l.imap.port : 143; }
int64_t imaps_port(const Listener& l) { return l.imaps.port ? l.imaps.port : 993; }

}  // namespace mox::config
