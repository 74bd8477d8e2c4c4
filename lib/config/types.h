// Typed mox.conf ("static") and domains.conf ("dynamic") configuration.
// Field names are mox's (docs/DESIGN.md "Differences from mox"). Each struct's
// fields are declared once, in the schema tables of types.cc, which drive
// parsing, writing and docs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.h"

namespace mox::config {

// ---- mox.conf ----

struct KeyCert {
  std::string cert_file, key_file;  // relative to the config directory
};

struct TLSConfig {
  std::vector<KeyCert> key_certs;
  std::string min_version;  // "TLSv1.2" (default) or "TLSv1.3"
  bool client_auth_disabled = false;
};

struct SMTPListener {
  bool enabled = false;
  int64_t port = 0;  // 0: 25
  bool no_starttls = false;
  bool require_starttls = false;
};

struct SubmissionListener {
  bool enabled = false;
  int64_t port = 0;  // 0: 587
  bool no_require_starttls = false;
};

struct ImplicitTLSListener {  // Submissions (465) and IMAPS (993)
  bool enabled = false;
  int64_t port = 0;
};

struct IMAPListener {
  bool enabled = false;
  int64_t port = 0;  // 0: 143
  bool no_require_starttls = false;
};

struct Listener {
  std::vector<std::string> ips;
  std::string hostname;
  std::optional<TLSConfig> tls;
  int64_t smtp_max_message_size = 0;  // 0: 100 MiB
  SMTPListener smtp;
  SubmissionListener submission;
  ImplicitTLSListener submissions;
  IMAPListener imap;
  ImplicitTLSListener imaps;
};

struct Postmaster {
  std::string account, mailbox;
};

// How DNS lookups are answered (mox.conf(5) "DNS": a zone file for tests and
// isolated setups; otherwise libunbound with the system's resolv.conf).
struct DNSConfig {
  std::string zone_file;                 // relative to the config directory
  std::vector<std::string> nameservers;  // "IP" or "IP@port"; replace resolv.conf's
  std::vector<std::string> forwarders;   // "IP" or "IP@port", after resolv.conf's
  Duration timeout{};                    // per lookup; 0: 10s
};

// The outgoing queue (mox-queue).
struct QueueConfig {
  int64_t port = 0;          // TCP port of remote MX hosts; 0: 25
  bool verify_tls = false;   // STARTTLS certificates must verify (else: opportunistic)
  std::string ca_file;       // CA bundle for verify_tls; empty: the system's
  int64_t max_attempts = 0;  // 0: 8 (mox-queue(8) "Delivery")
};

// Per-IP connection limits of mox-smtpd and mox-imapd (auth/connlimit.h).
struct ConnectionLimits {
  int64_t rate_per_minute = 0;  // 0: 300; -1: no limit
  int64_t concurrent = 0;       // 0: 30; -1: no limit
  bool limit_loopback = false;  // loopback addresses are exempt unless set
};

struct Static {
  std::string data_dir;
  std::string log_level;
  std::string hostname;
  std::string user;
  Postmaster postmaster;
  std::map<std::string, Listener> listeners;
  DNSConfig dns;
  QueueConfig queue;
  int64_t quota_message_size = 0;  // default of accounts that set none; 0: no limit
  ConnectionLimits connection_limits;
};

// ---- domains.conf ----

struct Canonicalization {
  bool header_relaxed = false, body_relaxed = false;
};

struct DKIMSelector {
  std::string hash;  // "sha256" (default) or "sha1"
  Canonicalization canonicalization;
  std::vector<std::string> headers;  // empty: the default header list
  bool dont_seal_headers = false;
  Duration expiration{};
  std::string private_key_file;  // relative to the config directory
};

struct DKIM {
  std::map<std::string, DKIMSelector> selectors;
  std::vector<std::string> sign;
};

struct ReportingAddress {  // DMARC and TLSRPT reporting destinations
  std::string localpart, domain, account, mailbox;
};

struct Domain {
  std::string description;
  std::string client_settings_domain;
  std::string localpart_catchall_separator;
  std::vector<std::string> localpart_catchall_separators;
  bool localpart_case_sensitive = false;
  bool disabled = false;
  DKIM dkim;
  std::optional<ReportingAddress> dmarc;
  std::optional<ReportingAddress> tlsrpt;
  // Derived at parse time, never written (sconf:"-").
  std::vector<std::string> localpart_catchall_separators_effective;
};

struct Destination {
  std::string mailbox;  // empty: Inbox
};

struct Account {
  std::string domain;
  std::string description;
  std::string full_name;
  std::map<std::string, Destination> destinations;
  bool no_custom_password = false;
  std::string login_disabled;
  // IMAP capability names not announced or honoured after login (mox-imapd(8)
  // "Capabilities").
  std::vector<std::string> imap_capabilities_disabled;
  Duration keep_retired_message_period{};
  int64_t max_outgoing_messages_per_day = 0;      // 0: 1000 (queue/sendlimit.h)
  int64_t max_first_time_recipients_per_day = 0;  // 0: 200
  int64_t quota_message_size = 0;                 // 0: mox.conf's QuotaMessageSize; -1: no limit
};

struct Dynamic {
  std::map<std::string, Domain> domains;
  std::map<std::string, Account> accounts;
};

const Schema<Static>& static_schema();
const Schema<Dynamic>& dynamic_schema();

// Default ports when a listener's Port is 0.
int64_t smtp_port(const Listener& l);
int64_t submission_port(const Listener& l);
int64_t submissions_port(const Listener& l);
int64_t imap_port(const Listener& l);
int64_t imaps_port(const Listener& l);
constexpr int64_t kDefaultMaxMessageSize = 100 * 1024 * 1024;

}  // namespace mox::config
