// Writing DKIM-Signature fields (RFC 6376 §3.5), folded (RFC 5322 §2.2.3).
#include <algorithm>
#include <string>
#include <string_view>

#include "dkim/signature.h"
#include "util/encoding.h"

namespace mox::dkim {
namespace {

constexpr size_t kWidth = 78;  // RFC 5322 §2.1.1: lines SHOULD be at most 78 characters

class Folder {
 public:
  explicit Folder(std::string start) : out_(std::move(start)), col_(out_.size()) {}

  // Appends `s` whole, on a new line if it would not fit on this one.
  void word(std::string_view s) {
    if (col_ + s.size() > kWidth && col_ > 1) fold();
    out_ += s;
    col_ += s.size();
  }
  // Appends `s` split anywhere to fill lines: base64 may hold FWS at any
  // point (§3.5 b=, bh=).
  void split_anywhere(std::string_view s) {
    while (!s.empty()) {
      if (col_ >= kWidth) fold();
      size_t n = std::min(kWidth - col_, s.size());
      out_ += s.substr(0, n);
      col_ += n;
      s.remove_prefix(n);
    }
  }
  void fold() {
    out_ += "\r\n\t";
    col_ = 1;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  size_t col_;
};

}  // namespace

std::string format_signature_prefix(const Signature& sig) {
  Folder f("DKIM-Signature:");
  auto tag = [&f](const std::string& t) { f.word(" " + t + ";"); };
  tag("v=1");
  tag("a=" + std::string(key_algorithm_name(sig.key_algorithm)) + "-" +
      std::string(hash_name(sig.hash)));
  tag("d=" + sig.domain);
  tag("s=" + sig.selector);
  if (sig.identity) tag("i=" + dkim_qp_encode(*sig.identity));
  tag(std::string("c=") + (sig.header_relaxed ? "relaxed" : "simple") + "/" +
      (sig.body_relaxed ? "relaxed" : "simple"));
  // h=: FWS is allowed around the colons (§3.5), so fold between names.
  for (size_t i = 0; i < sig.signed_headers.size(); ++i) {
    std::string piece = (i == 0 ? " h=" : "") + sig.signed_headers[i] +
                        (i + 1 < sig.signed_headers.size() ? ":" : ";");
    f.word(piece);
  }
  if (sig.sign_time) tag("t=" + std::to_string(*sig.sign_time));
  if (sig.expire_time) tag("x=" + std::to_string(*sig.expire_time));
  if (sig.length) tag("l=" + std::to_string(*sig.length));
  f.word(" bh=");
  f.split_anywhere(base64_encode(sig.body_hash) + ";");
  f.word(" b=");
  return f.take();
}

std::string finish_signature_field(std::string prefix, std::string_view signature) {
  size_t last_line = prefix.rfind('\n');
  size_t col = last_line == std::string::npos ? prefix.size() : prefix.size() - last_line - 1;
  // Continue on the prefix's last line: the Folder counts columns from its
  // own start, so it starts with as many placeholder octets.
  Folder g(std::string(col, 'x'));
  g.split_anywhere(base64_encode(signature));
  std::string tail = g.take().substr(col);
  return prefix + tail + "\r\n";
}

}  // namespace mox::dkim
