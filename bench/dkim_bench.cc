// DKIM signing rate of mox::dkim::sign (RFC 6376 with RSA-2048 and
// Ed25519, RFC 8463) over a message of a given body size, in one thread.
// Built and run by bench/dkim-bench, which compares it with
// `openssl speed rsa2048` on the same machine.
//
// Usage: dkim_bench [SECONDS [BODY_BYTES [ROUNDS]]]   (defaults: 3, 51200, 5)
//
// Each case runs ROUNDS times for SECONDS/ROUNDS, the cases taking turns.
// Prints one line per case:
//   CASE  best/s  median/s  µs/call(best)
// Cases: rsa2048 and ed25519, each with the message in memory (bytes) and
// read from a file descriptor as at submission (a memfd spool file), plus
// the body hash alone (sha256 over the body, simple and relaxed), which is
// the part of the cost that grows with the message.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "dkim/digest.h"
#include "dkim/sign.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string make_message(size_t body_bytes) {
  std::string m =
      "From: Alice <alice@example.org>\r\n"
      "To: Bob <bob@example.net>\r\n"
      "Subject: benchmark message\r\n"
      "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
      "Message-ID: <bench@example.org>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=us-ascii\r\n"
      "\r\n";
  const std::string line = "The quick brown fox jumps over the lazy dog, again and again.  \r\n";
  size_t start = m.size();
  while (m.size() - start + line.size() <= body_bytes) m += line;
  m.append(body_bytes - (m.size() - start), 'x');
  return m;
}

// Runs `f` for about `seconds`; returns calls per second (0 on failure).
double measure(double seconds, const std::function<bool()>& f) {
  if (!f()) return 0;  // warm-up: page faults, OpenSSL's lazy init
  long n = 0;
  auto t0 = Clock::now();
  double el = 0;
  while (el < seconds) {
    for (int i = 0; i < 4; ++i) {
      if (!f()) return 0;
      ++n;
    }
    el = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  return static_cast<double>(n) / el;
}

struct Case {
  const char* name;
  std::function<bool()> f;
  std::vector<double> rates;  // one per round
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  size_t body = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 51200;
  int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  std::string msg = make_message(body);

  auto rsa = mox::crypto::generate_rsa(2048);
  auto ed = mox::crypto::generate_ed25519();
  if (!rsa || !ed) {
    std::fprintf(stderr, "dkim_bench: key generation failed\n");
    return 1;
  }
  int fd = ::memfd_create("bench", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) {
    std::fprintf(stderr, "dkim_bench: memfd failed\n");
    return 1;
  }
  std::printf("# message %zu bytes (body %zu), %.1f s per case in %d rounds\n", msg.size(), body,
              seconds, rounds);

  auto signer = [&](EVP_PKEY* key, bool from_fd, bool relaxed) {
    return [&msg, key, from_fd, relaxed, fd]() {
      mox::dkim::SignRequest r;
      r.domain = "example.org";
      r.identity_localpart = "alice";
      mox::dkim::SelectorKey s;
      s.selector = "bench";
      s.key = key;
      s.header_relaxed = s.body_relaxed = relaxed;
      r.selectors.push_back(s);
      if (from_fd)
        r.message = mox::dkim::MessageRef{{}, fd};
      else
        r.message = mox::dkim::MessageRef{msg};
      auto sig = mox::dkim::sign(r);
      if (!sig) std::fprintf(stderr, "sign: %s\n", sig.error().message.c_str());
      return sig.ok();
    };
  };
  // The message-size-dependent part alone: body canonicalization + SHA-256.
  auto hash_only = [&](bool relaxed) {
    return [&msg, relaxed]() {
      size_t b = msg.find("\r\n\r\n") + 4;
      return mox::dkim::body_hash(mox::dkim::MessageRef{msg}, b, mox::dkim::Hash::kSha256, relaxed)
          .ok();
    };
  };
  std::vector<Case> cases = {
      {"rsa2048 bytes simple", signer(rsa->get(), false, false), {}},
      {"rsa2048 fd relaxed", signer(rsa->get(), true, true), {}},
      {"ed25519 bytes simple", signer(ed->get(), false, false), {}},
      {"ed25519 fd relaxed", signer(ed->get(), true, true), {}},
      {"body hash simple", hash_only(false), {}},
      {"body hash relaxed", hash_only(true), {}},
  };
  // Rounds over all cases, so that a burst of other work on a shared
  // machine spoils one round of each case rather than one whole case.
  for (int r = 0; r < rounds; ++r) {
    for (auto& c : cases) c.rates.push_back(measure(seconds / rounds, c.f));
  }
  std::printf("# %-26s %12s %12s %12s\n", "case", "best/s", "median/s", "best us");
  for (auto& c : cases) {
    std::sort(c.rates.begin(), c.rates.end());
    double best = c.rates.back(), median = c.rates[c.rates.size() / 2];
    if (best == 0) {
      std::printf("%-28s failed\n", c.name);
      continue;
    }
    std::printf("%-28s %12.1f %12.1f %12.1f\n", c.name, best, median, 1e6 / best);
  }
  ::close(fd);
  return 0;
}
