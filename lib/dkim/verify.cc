#include "dkim/verify.h"

#include "crypto/keys.h"
#include "dkim/keyrecord.h"

namespace mox::dkim {
namespace {

struct Outcome {
  Status status;
  std::string reason;
};

Outcome outcome(Status s, std::string reason) { return {s, std::move(reason)}; }

// §6.1.1 checks on the signature alone, and local policy, before any DNS.
std::optional<Outcome> check_signature(const Signature& sig, const VerifyOptions& o) {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(o.now.time_since_epoch()).count();
  if (sig.expire_time && *sig.expire_time < now) {
    return outcome(Status::kPermerror,
                   "signature expired at x=" + std::to_string(*sig.expire_time));
  }
  if (sig.hash == Hash::kSha1 && !o.allow_sha1) {
    return outcome(Status::kPolicy, "rsa-sha1 is not accepted (RFC 8301 §3.1)");
  }
  if (sig.length && !o.allow_length) {
    return outcome(Status::kPolicy, "l= body length limit is not accepted (RFC 6376 §8.2)");
  }
  return std::nullopt;
}

// §6.1.2: is the key record usable for this signature?
std::optional<Outcome> check_key(const Signature& sig, const KeyRecord& r) {
  if (!r.allows_hash(hash_name(sig.hash))) {
    return outcome(Status::kPermerror,
                   "key record h= does not allow " + std::string(hash_name(sig.hash)));
  }
  if (r.key_type != key_algorithm_name(sig.key_algorithm)) {
    return outcome(Status::kPermerror, "key record k=" + r.key_type + " does not match a=" +
                                           std::string(key_algorithm_name(sig.key_algorithm)));
  }
  if (r.public_key.empty()) return outcome(Status::kPermerror, "key revoked (empty p=)");
  if (!r.allows_email()) return outcome(Status::kPermerror, "key record s= does not allow email");
  if (r.strict && sig.identity) {
    // §3.6.1 t=s: the i= domain must be d= itself, not a subdomain.
    std::string_view id = *sig.identity;
    if (id.substr(id.rfind('@') + 1) != sig.domain) {
      return outcome(Status::kPermerror, "key record t=s: i= domain must equal d=");
    }
  }
  return std::nullopt;
}

Outcome lookup_outcome(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kTemporary:
      return outcome(Status::kTemperror, e.message);
    case ErrorKind::kNotFound:
      return outcome(Status::kPermerror, "no key for signature: " + e.message);
    default:
      return outcome(Status::kPermerror, e.message);
  }
}

Outcome verify_with_key(const Signature& sig, const KeyRecord& rec, const HeaderView& hv,
                        const MessageRef& m, std::string_view sig_field, const VerifyOptions& o) {
  if (auto bad = check_key(sig, rec)) return *bad;
  auto key = o.key_cache ? o.key_cache->public_key(rec) : record_public_key(rec);
  if (!key) return outcome(Status::kPermerror, "key record: " + key.error().message);
  if (crypto::key_type(key->get()) == crypto::KeyType::kRsa &&
      crypto::key_bits(key->get()) < o.min_rsa_bits) {
    return outcome(Status::kPolicy, "RSA key of " + std::to_string(crypto::key_bits(key->get())) +
                                        " bits is too small (RFC 8301 §3.2)");
  }
  auto bh = body_hash(m, hv.header.size, sig.hash, sig.body_relaxed, sig.length);
  if (!bh) {
    Status s = bh.error().kind == ErrorKind::kPermanent ? Status::kFail : Status::kTemperror;
    return outcome(s, bh.error().message);
  }
  if (*bh != sig.body_hash) return outcome(Status::kFail, "body hash does not match: body changed");
  auto field = without_b_value(sig_field);
  if (!field) return outcome(Status::kPermerror, field.error().message);
  std::string data = signed_header_data(hv, sig.signed_headers, sig.header_relaxed, *field);
  auto ok = verify_digest(key->get(), sig.hash, digest(sig.hash, data), sig.signature);
  if (!ok) return outcome(Status::kTemperror, ok.error().message);
  if (!*ok)
    return outcome(Status::kFail, "signature does not verify: signed header fields changed");
  return outcome(Status::kPass, "");
}

VerifyResult verify_one(dns::Resolver& resolver, const HeaderView& hv,
                        const message::HeaderField& f, const MessageRef& m,
                        const VerifyOptions& o) {
  VerifyResult r;
  auto sig = parse_signature(f.raw_value);
  if (!sig) {
    r.status = Status::kPermerror;
    r.reason = "bad DKIM-Signature: " + sig.error().message;
    return r;
  }
  r.domain = sig->domain;
  r.selector = sig->selector;
  Outcome out{Status::kPass, ""};
  if (auto bad = check_signature(*sig, o)) {
    out = *bad;
  } else if (auto k = lookup_key(resolver, sig->selector, sig->domain); !k) {
    out = lookup_outcome(k.error());
  } else {
    r.key_authentic = k->authentic;
    std::string_view raw = hv.text.substr(f.offset, f.length);
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    out = verify_with_key(*sig, k->record, hv, m, raw, o);
    if (k->record.testing && out.status != Status::kPass) {
      out = outcome(Status::kNeutral, "key in test mode (t=y): " + out.reason);
    }
  }
  r.status = out.status;
  r.reason = std::move(out.reason);
  r.signature = std::move(sig).value();
  return r;
}

}  // namespace

std::string_view status_name(Status s) {
  switch (s) {
    case Status::kPass:
      return "pass";
    case Status::kFail:
      return "fail";
    case Status::kNeutral:
      return "neutral";
    case Status::kTemperror:
      return "temperror";
    case Status::kPermerror:
      return "permerror";
    case Status::kPolicy:
      return "policy";
  }
  return "permerror";
}

Result<std::vector<VerifyResult>> verify(dns::Resolver& resolver, const MessageRef& m,
                                         const VerifyOptions& o) {
  MOX_ASSIGN(HeaderView hv, read_message_header(m));
  std::vector<VerifyResult> results;
  for (const message::HeaderField& f : hv.header.fields) {
    if (!f.is("DKIM-Signature")) continue;
    if (results.size() >= o.max_signatures) {
      VerifyResult r;
      r.status = Status::kPolicy;
      r.reason = "more than " + std::to_string(o.max_signatures) + " signatures: not checked";
      results.push_back(std::move(r));
      continue;
    }
    results.push_back(verify_one(resolver, hv, f, m, o));
  }
  return results;
}

}  // namespace mox::dkim
