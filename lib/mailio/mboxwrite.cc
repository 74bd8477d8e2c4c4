#include "mailio/mboxwrite.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "mailio/msgbytes.h"
#include "util/ascii.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::mailio {
namespace {

constexpr std::string_view kFrom = "From ";

// The value of the first `name` field of `header` (up to its first empty
// line), unfolded; "" when there is none.
std::string header_field(std::string_view header, std::string_view name) {
  std::string value;
  bool in_field = false;
  while (!header.empty()) {
    size_t nl = header.find('\n');
    std::string_view line = header.substr(0, nl);
    header = nl == std::string_view::npos ? std::string_view() : header.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      if (in_field) value.append(line);
      continue;
    }
    if (in_field) break;
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && ascii_iequal(line.substr(0, colon), name)) {
      in_field = true;
      value = std::string(line.substr(colon + 1));
    }
  }
  return value;
}

// The address of a Return-Path value ("<a@b>", or bare), "" when none fits
// a "From " line.
std::string path_address(std::string_view v) {
  size_t lt = v.find('<'), gt = v.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt) {
    v = v.substr(lt + 1, gt - lt - 1);
  }
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  for (char c : v) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return "";
  }
  return std::string(v);
}

// Whether `flag` (case-insensitive) is among `flags`.
bool has(const std::vector<std::string>& flags, std::string_view flag) {
  for (const auto& f : flags)
    if (ascii_iequal(f, flag)) return true;
  return false;
}

}  // namespace

std::string mbox_from_line(std::string_view sender, int64_t received) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(received);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char date[64];
  std::snprintf(date, sizeof date, "%s %s %2d %02d:%02d:%02d %d", kDays[tm.tm_wday % 7],
                kMonths[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                tm.tm_year + 1900);
  return std::string(kFrom) + std::string(sender) + " " + date + "\n";
}

std::string mbox_sender(std::string_view header, std::string_view mail_from) {
  std::string a = path_address(header_field(header, "Return-Path"));
  if (a.empty()) a = path_address(mail_from);
  return a.empty() ? "MAILER-DAEMON" : a;
}

std::string mbox_flag_fields(const std::vector<std::string>& flags) {
  std::string out = has(flags, "\\Seen") ? "Status: RO\n" : "Status: O\n";
  static constexpr std::pair<char, std::string_view> kXStatus[] = {
      {'A', "\\Answered"}, {'F', "\\Flagged"}, {'T', "\\Draft"}, {'D', "\\Deleted"}};
  std::string x;
  for (const auto& [c, name] : kXStatus)
    if (has(flags, name)) x += c;
  if (!x.empty()) out += "X-Status: " + x + "\n";
  std::string kw;
  for (const auto& f : flags) {
    if (f.empty() || f[0] == '\\') continue;  // system flags, above or not kept
    kw += (kw.empty() ? "" : ",") + f;
  }
  if (!kw.empty()) out += "X-Keywords: " + kw + "\n";
  return out;
}

void MboxEncoder::flush_prefix(std::string& out) {
  out.append(gt_, '>');
  out.append(kFrom.substr(0, from_));
  if (gt_ + from_ > 0) last_ = out.back();
  line_start_ = false;
}

void MboxEncoder::feed(std::string_view in, std::string& out) {
  for (char c : in) {
    if (strip_cr_ && c == '\r') continue;
    if (line_start_) {
      if (from_ == 0 && c == '>') {
        gt_++;
        continue;
      }
      if (c == kFrom[from_]) {
        if (++from_ < kFrom.size()) continue;
        out += '>';
        from_ = kFrom.size();
        flush_prefix(out);
        continue;
      }
      flush_prefix(out);
    }
    out += c;
    last_ = c;
    if (c == '\n') {
      line_start_ = true;
      gt_ = from_ = 0;
    }
  }
}

void MboxEncoder::finish(std::string& out) {
  if (line_start_) flush_prefix(out);
  if (last_ != '\n') out += '\n';
  out += '\n';
  last_ = '\n';
  line_start_ = true;
  gt_ = from_ = 0;
}

namespace {

class MboxWriter final : public MailboxWriter {
 public:
  MboxWriter(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  ~MboxWriter() override {
    if (fd_.valid()) ::unlink(tmp().c_str());
  }

  Result<int64_t> add(int fd, const MessageInfo& m) override {
    MessageBytes bytes(fd, "message " + std::to_string(m.id));
    MOX_ASSIGN(std::string_view head, bytes.head());
    MOX_ASSIGN(bool strip, bytes.crlf_only());
    int64_t start = pos();
    buf_ += mbox_from_line(mbox_sender(head, m.mail_from), m.received);
    buf_ += mbox_flag_fields(m.flags);
    MboxEncoder enc(strip);
    MOX_TRY(bytes.each([&](std::string_view chunk) -> Status {
      enc.feed(chunk, buf_);
      return buf_.size() < kFlushAt ? Status() : flush();
    }));
    enc.finish(buf_);
    int64_t written = pos() - start;
    if (buf_.size() >= kFlushAt) MOX_TRY(flush());
    return written;
  }

  Status finish() override {
    MOX_TRY(flush());
    if (::close(fd_.release()) != 0) return os_error("close " + tmp(), errno);
    if (::rename(tmp().c_str(), path_.c_str()) != 0) {
      Error e = os_error("rename " + tmp(), errno);
      ::unlink(tmp().c_str());
      return e;
    }
    return {};
  }

 private:
  static constexpr size_t kFlushAt = 256 * 1024;
  std::string tmp() const { return path_ + ".tmp"; }
  int64_t pos() const { return flushed_ + static_cast<int64_t>(buf_.size()); }
  Status flush() {
    MOX_TRY(write_all(fd_.get(), buf_, tmp()));
    flushed_ += static_cast<int64_t>(buf_.size());
    buf_.clear();
    return {};
  }

  std::string path_;
  UniqueFd fd_;
  std::string buf_;
  int64_t flushed_ = 0;
};

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

Result<std::unique_ptr<MailboxWriter>> open_mbox_writer(const std::string& path) {
  MOX_TRY(mkdir_all(parent_dir(path), 0700));
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("create " + tmp, errno);
  return std::unique_ptr<MailboxWriter>(new MboxWriter(path, UniqueFd(fd)));
}

Result<bool> mbox_has_content(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return os_error("stat " + path, errno);
  }
  return !S_ISREG(st.st_mode) || st.st_size > 0;
}

}  // namespace mox::mailio
