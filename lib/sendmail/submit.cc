#include "sendmail/submit.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <iterator>

#include "crypto/cert.h"
#include "crypto/keys.h"
#include "smtpclient/client.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace mox::sendmail {
namespace {

Result<std::vector<std::string>> resolve(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) return temporary_error("resolving " + host + ": " + ::gai_strerror(rc));
  std::vector<std::string> ips;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* a =
        ai->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
    if (::inet_ntop(ai->ai_family, a, buf, sizeof buf) == nullptr) continue;
    if (std::find(ips.begin(), ips.end(), buf) == ips.end()) ips.emplace_back(buf);
  }
  ::freeaddrinfo(res);
  return ips;
}

size_t count(std::string_view s, std::string_view what) {
  size_t n = 0;
  for (size_t i = s.find(what); i != std::string_view::npos; i = s.find(what, i + 1)) n++;
  return n;
}

Result<std::shared_ptr<const tls::CertKey>> cert_from_seed(const std::string& b64) {
  auto seed = base64url_decode(b64);
  if (!seed || seed->size() != 32) {
    return user_error("ClientAuthEd25519PrivateKey: not a base64url 32-byte ed25519 seed");
  }
  auto key = crypto::ed25519_from_seed(*seed);
  if (!key) return user_error("ClientAuthEd25519PrivateKey: " + key.error().message);
  // mox-tlspubkey(8): only the public key counts; a minimal certificate will
  // do.
  auto cert = crypto::minimal_cert(key->get(), static_cast<long>(std::time(nullptr)));
  if (!cert) return std::move(cert).error();
  auto ck = std::make_shared<tls::CertKey>();
  ck->leaf = std::move(*cert);
  ck->key = std::move(*key);
  ck->chain.reset(sk_X509_new_null());
  if (!ck->chain) return internal_error("out of memory");
  return std::shared_ptr<const tls::CertKey>(std::move(ck));
}

Result<std::shared_ptr<const tls::CertKey>> cert_from_file(const std::string& path) {
  MOX_ASSIGN(std::string pem, read_file(path));
  const std::string what = "ClientAuthCertPrivateKeyPEMFile " + path;
  if (count(pem, "-----BEGIN PRIVATE KEY-----") != 1 || count(pem, " PRIVATE KEY-----") != 2) {
    return user_error(what + ": need exactly one PKCS#8 PRIVATE KEY block");
  }
  if (count(pem, "-----BEGIN CERTIFICATE-----") < 1) {
    return user_error(what + ": need at least one CERTIFICATE block");
  }
  auto ck = tls::cert_key_from_pem(pem, pem, what);
  if (!ck) return std::move(ck).error();  // also: the key does not match the leaf
  return std::shared_ptr<const tls::CertKey>(std::make_shared<tls::CertKey>(std::move(*ck)));
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0') return h;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir) return pw->pw_dir;
  return "";
}

}  // namespace

Result<std::shared_ptr<const tls::CertKey>> client_cert(const SubmitConfig& c) {
  if (!c.client_auth_ed25519_private_key.empty())
    return cert_from_seed(c.client_auth_ed25519_private_key);
  if (!c.client_auth_cert_private_key_pem_file.empty()) {
    return cert_from_file(c.client_auth_cert_private_key_pem_file);
  }
  return std::shared_ptr<const tls::CertKey>();
}

Status submit(const SubmitConfig& c, std::shared_ptr<const tls::CertKey> cert, const Composed& m,
              const std::function<void(const std::string&)>& log) {
  smtpclient::Options o;
  o.local_hostname = c.local_hostname;
  o.tls = c.tls ? smtpclient::TLSMode::kImplicit : smtpclient::TLSMode::kStartTLS;
  o.tls_verify = !c.tls_insecure_skip_verify;
  o.client_cert = std::move(cert);
  // With a certificate and no AuthMethod: AUTH EXTERNAL if offered, else
  // the TLS handshake alone authenticates (mox-smtpd(8) "Authentication").
  smtpclient::AuthOptions auth;
  auth.username = c.username;
  auth.password = c.password;
  auth.mechanism = c.auth_method;
  o.auth = auth;
  o.log = log;
  // mox gives the whole submission 3 minutes; RFC 5321's longer timeouts
  // are for MTAs.
  using namespace std::chrono_literals;
  o.timeouts.connect = 30s;
  o.timeouts.greeting = o.timeouts.command = o.timeouts.mail = o.timeouts.rcpt = 2min;
  o.timeouts.data_init = o.timeouts.data_block = 2min;
  o.timeouts.data_end = 3min;

  MOX_ASSIGN(std::vector<std::string> ips, resolve(c.host));
  MOX_ASSIGN(smtpclient::Client client,
             smtpclient::Client::dial(c.host, ips, static_cast<int>(c.port), o));
  smtpclient::Envelope env;
  env.mail_from = m.mail_from;
  env.rcpts = m.rcpts;
  env.require_tls = c.require_tls == "yes";
  env.smtputf8 = false;
  smtpclient::Delivery d = client.deliver(env, smtpclient::Message::bytes(m.message));
  client.close();
  std::string failed;
  bool permanent = true;
  for (size_t i = 0; i < m.rcpts.size(); i++) {
    if (auto f = d.result(i)) {
      if (!failed.empty()) failed += "; ";
      failed += d.rcpts.size() > i || m.rcpts.size() > 1 ? "<" + m.rcpts[i].str() + ">: " : "";
      failed += f->message;
      permanent = permanent && f->permanent;
    }
  }
  if (!failed.empty())
    return Error{permanent ? ErrorKind::kPermanent : ErrorKind::kTemporary, failed};
  return {};
}

Result<std::string> save_failure(std::string_view message) {
  std::string home = home_dir();
  if (home.empty()) return internal_error("no home directory to save the message in");
  std::string dir = home + "/moxsubmit.failures";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return internal_error("creating " + dir + ": " + std::strerror(errno));
  }
  std::string path = dir + "/newmsg.XXXXXX";
  int fd = ::mkostemp(path.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return internal_error("creating a file in " + dir + ": " + std::strerror(errno));
  UniqueFd f(fd);
  std::string_view rest = message;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return internal_error("writing " + path + ": " + std::strerror(errno));
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) return internal_error("fsync " + path + ": " + std::strerror(errno));
  return path;
}

int run(const Args& args) {
  auto fail = [](const std::string& msg) {
    std::cerr << "mox-sendmail: " << msg << "\n";
    return 1;
  };
  // Installed setgid to read a group-only config (mox-sendmail(8)): then no
  // other config file may be named, or the group's rights would leak.
  if (!args.config_path.empty() && ::getegid() != ::getgid()) {
    return fail("--config is not allowed when running setgid");
  }
  if (args.recipients_from_header ? !args.recipients.empty() : args.recipients.size() != 1) {
    std::cerr << "mox-sendmail: need exactly one recipient, or -t without recipients\n"
              << "Run with --help for more information.\n";
    return 2;
  }
  auto config =
      load_submit_config(args.config_path.empty() ? kDefaultConfigPath : args.config_path);
  if (!config) return fail(config.error().message);
  auto cert = client_cert(*config);
  if (!cert) return fail(cert.error().message);
  std::string input(std::istreambuf_iterator<char>(std::cin), {});
  auto composed = compose(input, args, *config);
  if (!composed) return fail(composed.error().message);
  std::function<void(const std::string&)> log;
  if (args.verbose) log = [](const std::string& l) { std::cerr << "mox-sendmail: " << l << "\n"; };
  auto st = submit(*config, *cert, *composed, log);
  if (st) return 0;
  auto saved = save_failure(composed->message);
  if (!saved) {
    return fail("submit failed: " + st.error().message +
                "; saving the message failed too: " + saved.error().message);
  }
  return fail("submit failed: " + st.error().message + "; message saved in " + *saved);
}

}  // namespace mox::sendmail
