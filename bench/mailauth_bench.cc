// CPU per message of the MX's checks of incoming mail (lib/mailauth: SPF,
// DKIM, DMARC, iprev), in one thread, with DNS from a zone in memory (the
// zone-file resolver, as bench/smtp-bench uses): what the checks add to a
// delivery, apart from the network. Built and run by bench/mailauth-bench.
//
// Usage: mailauth_bench [SECONDS [BODY_BYTES [ROUNDS]]]   (defaults: 3, 4096, 5)
//
// Cases (each ROUNDS times for SECONDS/ROUNDS, taking turns; best and
// median per second, µs per call of the best round):
//   full      mailauth::check_message: iprev, SPF (MAIL FROM and HELO), DKIM
//             (one RSA-2048 signature) and DMARC, as mox-smtpd's MX runs them
//             (iprev, SPF and the DMARC lookup on their own threads)
//   dkim      dkim::verify alone, with the key cache of the MX
//   dkim-nocache  the same decoding the key every time
//   spf       spf::verify alone (both identities)
//   dmarc     dmarc::lookup + evaluate
//   iprev     authres::check_iprev
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "authres/iprev.h"
#include "crypto/keys.h"
#include "dkim/dnsrecord.h"
#include "dkim/sign.h"
#include "dkim/verify.h"
#include "dmarc/evaluate.h"
#include "dmarc/lookup.h"
#include "dmarc/publicsuffix.h"
#include "dns/zone.h"
#include "mailauth/mailauth.h"
#include "spf/check.h"
#include "util/taskpool.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string make_message(size_t body_bytes) {
  std::string m =
      "From: Alice <alice@sender.example>\r\n"
      "To: Bob <bob@mox.example>\r\n"
      "Subject: benchmark message\r\n"
      "Date: Mon, 7 Dec 2026 00:00:00 +0000\r\n"
      "Message-ID: <bench@sender.example>\r\n"
      "\r\n";
  const std::string line =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab\r\n";
  while (m.size() < body_bytes) m += line;
  return m;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "mailauth_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Case {
  const char* name;
  std::function<void()> fn;
  std::vector<double> rates;
};

}  // namespace

int main(int argc, char** argv) {
  double secs = argc > 1 ? std::atof(argv[1]) : 3.0;
  size_t body = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 4096;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 5;

  auto key = mox::crypto::generate_rsa(2048);
  if (!key) die(key.error().message);
  auto txt = mox::dkim::txt_record_value(key->get());
  if (!txt) die(txt.error().message);
  std::string zone_text =
      "sender.example. TXT \"v=spf1 ip4:192.0.2.10 -all\"\n"
      "_dmarc.sender.example. TXT \"v=DMARC1; p=reject\"\n"
      "mta.sender.example. A 192.0.2.10\n"
      "mta.sender.example. TXT \"v=spf1 a -all\"\n"
      "10.2.0.192.in-addr.arpa. PTR mta.sender.example.\n"
      "sel._domainkey.sender.example. TXT (";
  for (size_t i = 0; i < txt->size(); i += 200) zone_text += " \"" + txt->substr(i, 200) + "\"";
  zone_text += " )\n";
  auto zone = mox::dns::ZoneResolver::from_text(zone_text);
  if (!zone) die(zone.error().message);
  auto psl = mox::dmarc::PublicSuffixList::load(mox::dmarc::PublicSuffixList::kDefaultPath);
  if (!psl) die(psl.error().message);

  std::string unsigned_msg = make_message(body);
  mox::dkim::SignRequest req;
  req.domain = "sender.example";
  mox::dkim::SelectorKey sk;
  sk.selector = "sel";
  sk.key = key->get();
  req.selectors.push_back(sk);
  req.message.bytes = unsigned_msg;
  auto sig = mox::dkim::sign(req);
  if (!sig) die(sig.error().message);
  std::string msg = *sig + unsigned_msg;
  std::string header = msg.substr(0, msg.find("\r\n\r\n") + 4);
  mox::dkim::MessageRef ref;
  ref.bytes = msg;

  mox::mailauth::Env env;
  env.resolver = zone->get();
  env.psl = &*psl;
  env.hostname = "mail.mox.example";
  env.ours = [](std::string_view d) { return d == "mox.example"; };
  // As mox-smtpd's MX (smtpserver/mxauth.h): a key cache and a thread pool.
  mox::dkim::KeyCache key_cache;
  mox::TaskPool pool;
  env.dkim.key_cache = &key_cache;
  env.pool = &pool;
  mox::dkim::VerifyOptions cached;
  cached.key_cache = &key_cache;
  mox::spf::Query q;
  q.ip = "192.0.2.10";
  q.mail_from = "bounce@sender.example";
  q.helo = "mta.sender.example";
  q.receiver = "mail.mox.example";

  // One check first: everything must pass, or the numbers mean nothing.
  auto v = mox::mailauth::check_message(env, q.ip, q.helo, q.mail_from, ref, header);
  if (v.decision != mox::mailauth::Decision::kAccept ||
      v.results.dmarc != mox::dmarc::Status::kPass || v.results.dkim_domains.empty() ||
      v.results.spf != mox::spf::Status::kPass ||
      v.results.iprev != mox::authres::IprevStatus::kPass) {
    die("the checks do not pass:\n" + v.headers);
  }

  std::vector<Case> cases = {
      {"full",
       [&] { (void)mox::mailauth::check_message(env, q.ip, q.helo, q.mail_from, ref, header); },
       {}},
      {"dkim", [&] { (void)mox::dkim::verify(**zone, ref, cached); }, {}},
      {"dkim-nocache", [&] { (void)mox::dkim::verify(**zone, ref); }, {}},
      {"spf", [&] { (void)mox::spf::verify(**zone, q); }, {}},
      {"dmarc",
       [&] {
         auto l = mox::dmarc::lookup(**zone, *psl, "sender.example");
         mox::dmarc::Identifiers ids;
         ids.from_domain = "sender.example";
         ids.spf_domain = "sender.example";
         ids.spf_pass = true;
         (void)mox::dmarc::evaluate(l, *psl, ids, 0);
       },
       {}},
      {"iprev", [&] { (void)mox::authres::check_iprev(**zone, q.ip); }, {}},
  };
  double slice = secs / rounds;
  for (int r = 0; r < rounds; ++r) {
    for (Case& c : cases) {
      long n = 0;
      auto t0 = Clock::now();
      auto end = t0 + std::chrono::duration<double>(slice);
      while (Clock::now() < end) {
        c.fn();
        ++n;
      }
      c.rates.push_back(n / std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  std::printf("%-12s %10s %10s %12s\n", "case", "best/s", "median/s", "us/call");
  for (Case& c : cases) {
    std::sort(c.rates.begin(), c.rates.end());
    double best = c.rates.back(), median = c.rates[c.rates.size() / 2];
    std::printf("%-12s %10.0f %10.0f %12.1f\n", c.name, best, median, 1e6 / best);
  }
  return 0;
}
