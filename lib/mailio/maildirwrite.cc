#include "mailio/maildirwrite.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "mailio/maildirname.h"
#include "mailio/msgbytes.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::mailio {
namespace {

constexpr const char* kKeywordsFile = "dovecot-keywords";

// Writes the message to `fd` with its CRs dropped when `strip`; returns the
// bytes written.
Result<int64_t> copy_message(MessageBytes& bytes, bool strip, int fd, const std::string& path) {
  std::string out;
  int64_t n = 0;
  MOX_TRY(bytes.each([&](std::string_view chunk) -> Status {
    if (strip) {
      out.clear();
      for (char c : chunk)
        if (c != '\r') out += c;
      chunk = out;
    }
    n += static_cast<int64_t>(chunk.size());
    return write_all(fd, chunk, path);
  }));
  return n;
}

class MaildirWriter final : public MailboxWriter {
 public:
  explicit MaildirWriter(std::string dir) : dir_(std::move(dir)) {}

  Result<int64_t> add(int fd, const MessageInfo& m) override {
    std::vector<std::string> dropped;
    std::string unique = std::to_string(m.received) + ".M" + std::to_string(m.id) + ".mox";
    std::string name = unique + maildir_info(m.flags, keywords_, &dropped);
    if (!dropped.empty()) dropped_messages_++;
    dropped_.insert(dropped.begin(), dropped.end());
    MessageBytes bytes(fd, "message " + std::to_string(m.id));
    MOX_ASSIGN(bool strip, bytes.crlf_only());
    std::string tmp = dir_ + "/tmp/" + unique;
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) return os_error("create " + tmp, errno);
    UniqueFd owner(out);
    Result<int64_t> n = write_and_date(bytes, strip, out, tmp, m.received);
    owner.reset();
    std::string cur = dir_ + "/cur/" + name;
    if (n && ::rename(tmp.c_str(), cur.c_str()) != 0) n = os_error("rename " + tmp, errno);
    if (!n) ::unlink(tmp.c_str());
    return n;
  }

  Status finish() override {
    if (!dropped_.empty()) {
      std::string names;
      for (const auto& k : dropped_) names += (names.empty() ? "" : " ") + k;
      warnings_.push_back("keywords beyond the 26 a Maildir has room for not written, on " +
                          std::to_string(dropped_messages_) + " messages: " + names);
    }
    if (keywords_.empty()) return {};
    return write_file_atomic(dir_ + "/" + kKeywordsFile, keywords_.format(), 0600);
  }

 private:
  static Result<int64_t> write_and_date(MessageBytes& bytes, bool strip, int fd,
                                        const std::string& path, int64_t received) {
    MOX_ASSIGN(int64_t n, copy_message(bytes, strip, fd, path));
    struct timespec times[2] = {{static_cast<time_t>(received), 0},
                                {static_cast<time_t>(received), 0}};
    if (::futimens(fd, times) != 0) return os_error("set the time of " + path, errno);
    return n;
  }

  std::string dir_;
  DovecotKeywords keywords_;
  std::set<std::string> dropped_;  // keywords that found no letter
  int64_t dropped_messages_ = 0;
};

// Whether directory `dir` has an entry besides "." and "..".
Result<bool> dir_has_entries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return false;
    return os_error("open " + dir, errno);
  }
  bool found = false;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

}  // namespace

Result<std::unique_ptr<MailboxWriter>> open_maildir_writer(const std::string& dir) {
  for (const char* sub : {"cur", "new", "tmp"}) MOX_TRY(mkdir_all(dir + "/" + sub, 0700));
  return std::unique_ptr<MailboxWriter>(new MaildirWriter(dir));
}

Result<bool> maildir_has_content(const std::string& dir) {
  for (const char* sub : {"cur", "new", "tmp"}) {
    MOX_ASSIGN(bool has, dir_has_entries(dir + "/" + sub));
    if (has) return true;
  }
  return path_exists(dir + "/" + kKeywordsFile);
}

}  // namespace mox::mailio
