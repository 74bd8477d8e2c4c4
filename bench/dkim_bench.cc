// DKIM signing rate of mox::dkim::sign (RFC 6376 with RSA-2048 and
// Ed25519, RFC 8463) over a message of a given body size, in one thread.
// Built and run by bench/dkim-bench, which compares it with
// `openssl speed rsa2048` on the same machine.
//
// Usage: dkim_bench [SECONDS [BODY_BYTES]]   (defaults: 3, 51200)
//
// Prints one line per case:
//   CASE  signatures/s  µs/signature  iterations
// Cases: rsa2048 and ed25519, each with the message in memory (bytes) and
// read from a file descriptor as at submission (a memfd spool file), plus
// the body hash alone (sha256 over the body, simple and relaxed), which is
// the part of the cost that grows with the message.
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

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

// Runs `f` for about `seconds`; returns iterations and elapsed seconds.
std::pair<long, double> measure(double seconds, const std::function<bool()>& f) {
  // Warm-up (page faults, OpenSSL's lazy init).
  for (int i = 0; i < 3; ++i) {
    if (!f()) return {0, 0};
  }
  long n = 0;
  auto t0 = Clock::now();
  double el = 0;
  while (el < seconds) {
    for (int i = 0; i < 4; ++i) {
      if (!f()) return {0, 0};
      ++n;
    }
    el = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  return {n, el};
}

void report(const char* name, std::pair<long, double> r) {
  if (r.first == 0) {
    std::printf("%-28s failed\n", name);
    return;
  }
  double rate = static_cast<double>(r.first) / r.second;
  std::printf("%-28s %10.1f /s %10.1f us %8ld\n", name, rate, 1e6 / rate, r.first);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
  size_t body = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 51200;
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
  std::printf("# message %zu bytes (body %zu), %.1f s per case\n", msg.size(), body, seconds);

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
      if (from_fd) r.message = mox::dkim::MessageRef{{}, fd};
      else r.message = mox::dkim::MessageRef{msg};
      auto sig = mox::dkim::sign(r);
      if (!sig) std::fprintf(stderr, "sign: %s\n", sig.error().message.c_str());
      return sig.ok();
    };
  };
  report("rsa2048 bytes simple", measure(seconds, signer(rsa->get(), false, false)));
  report("rsa2048 fd relaxed", measure(seconds, signer(rsa->get(), true, true)));
  report("ed25519 bytes simple", measure(seconds, signer(ed->get(), false, false)));
  report("ed25519 fd relaxed", measure(seconds, signer(ed->get(), true, true)));
  // The message-size-dependent part alone: body canonicalization + sha256.
  auto hash_only = [&](bool relaxed) {
    return [&msg, relaxed]() {
      size_t b = msg.find("\r\n\r\n") + 4;
      auto h = mox::dkim::body_hash(mox::dkim::MessageRef{msg}, b, mox::dkim::Hash::kSha256, relaxed);
      return h.ok();
    };
  };
  report("body hash simple", measure(seconds, hash_only(false)));
  report("body hash relaxed", measure(seconds, hash_only(true)));
  ::close(fd);
  return 0;
}
