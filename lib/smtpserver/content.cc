#include "smtpserver/content.h"

namespace mox::smtpserver {

void ContentChecker::reset(int64_t max_size) {
  *this = ContentChecker();
  max_size_ = max_size;
}

void ContentChecker::add(std::string_view bytes) {
  size_ += static_cast<int64_t>(bytes.size());
  if (!header_done_) {
    size_t old = header_.size();
    header_.append(bytes.substr(0, kMaxHeader - old));
    if (header_.compare(0, 2, "\r\n") == 0) {
      header_.resize(2);  // no header fields at all
      header_done_ = true;
    } else if (size_t blank = header_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
               blank != std::string::npos) {
      header_.resize(blank + 4);
      header_done_ = true;
    } else if (header_.size() >= kMaxHeader) {
      header_done_ = true;
    }
  }
  for (char ch : bytes) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (prev_cr_ && c != '\n') set(Problem::kBareCR);
    if (c == '\n') {
      if (!prev_cr_) set(Problem::kBareLF);
      line_len_ = 0;
    } else if (++line_len_ > kMaxLine - 1) {
      set(Problem::kLineTooLong);
    }
    if (c == 0) set(Problem::kNul);
    if (c >= 0x80) has_8bit_ = true;
    prev_cr_ = c == '\r';
  }
}

void ContentChecker::finish() {
  if (prev_cr_) set(Problem::kBareCR);
}

}  // namespace mox::smtpserver
