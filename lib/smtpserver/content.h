// Checks message content as it streams by (DATA after dot-unstuffing, or BDAT
// chunks): bare CR/LF (SMTP smuggling, CVE-2023-51764; RFC 5321 §2.3.8), NUL
// bytes, line length (RFC 5321 §4.5.3.1.6), size, 8-bit data, and keeps the
// header section for checks of From.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mox::smtpserver {

class ContentChecker {
 public:
  enum class Problem { kNone, kBareCR, kBareLF, kNul, kLineTooLong, kTooLarge };

  void reset(int64_t max_size);
  void add(std::string_view bytes);
  // Call at the end of the content; a trailing lone CR is a bare CR.
  void finish();

  Problem problem() const { return problem_; }
  bool too_large() const { return size_ > max_size_; }
  int64_t size() const { return size_; }
  bool has_8bit() const { return has_8bit_; }
  // The header section up to and including the empty line (or what there is, up to a limit).
  const std::string& header() const { return header_; }

  static constexpr size_t kMaxLine = 1000;       // incl. CRLF, RFC 5321 §4.5.3.1.6
  static constexpr size_t kMaxHeader = 1 << 20;  // kept for checks

 private:
  void set(Problem p) {
    if (problem_ == Problem::kNone) problem_ = p;
  }
  int64_t max_size_ = 0;
  int64_t size_ = 0;
  size_t line_len_ = 0;
  bool prev_cr_ = false;
  bool has_8bit_ = false;
  bool header_done_ = false;
  Problem problem_ = Problem::kNone;
  std::string header_;
};

}  // namespace mox::smtpserver
