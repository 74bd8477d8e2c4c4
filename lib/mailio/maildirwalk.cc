#include "mailio/maildirwalk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "mailio/lineend.h"
#include "util/fs.h"
#include "util/unique_fd.h"

namespace mox::mailio {
namespace {

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The names in `dir` not starting with '.' when `hide_dot`; sorted.
Result<std::vector<std::string>> list_dir(const std::string& dir, bool hide_dot) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return os_error("open directory " + dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || (hide_dot && n[0] == '.')) continue;
    names.push_back(std::move(n));
  }
  if (errno != 0) return os_error("read directory " + dir, errno);
  std::sort(names.begin(), names.end());
  return names;
}

Result<MaildirFolder> list_folder(const std::string& dir, std::vector<std::string> levels) {
  MaildirFolder f;
  f.path = dir;
  f.levels = std::move(levels);
  std::string kw = dir + "/dovecot-keywords";
  if (path_exists(kw)) {
    MOX_ASSIGN(std::string text, read_file(kw));
    f.keywords = DovecotKeywords::parse(text);
  }
  for (bool is_new : {false, true}) {
    std::string sub = dir + (is_new ? "/new" : "/cur");
    if (!is_dir(sub)) continue;
    MOX_ASSIGN(auto names, list_dir(sub, true));
    for (auto& n : names) {
      MaildirName parsed = parse_maildir_name(n, f.keywords);
      f.files.push_back({std::move(n), is_new, parsed.time});
    }
  }
  std::sort(f.files.begin(), f.files.end(), [](const MaildirFile& a, const MaildirFile& b) {
    return a.name_time != b.name_time ? a.name_time < b.name_time : a.name < b.name;
  });
  return f;
}

bool reserved(const std::string& n) { return n == "cur" || n == "new" || n == "tmp"; }

// Nested maildirs below `dir` (not `dir` itself), depth first, by name.
Status walk_nested(const std::string& dir, const std::vector<std::string>& levels,
                   std::vector<MaildirFolder>& out) {
  MOX_ASSIGN(auto names, list_dir(dir, true));
  for (const auto& n : names) {
    std::string sub = dir + "/" + n;
    if (reserved(n) || !is_dir(sub)) continue;
    std::vector<std::string> l = levels;
    l.push_back(n);
    if (is_maildir(sub)) {
      MOX_ASSIGN(MaildirFolder f, list_folder(sub, l));
      out.push_back(std::move(f));
    }
    MOX_TRY(walk_nested(sub, l, out));
  }
  return {};
}

// Maildir++ folders ".A.B" of the top maildir `dir`.
Status walk_maildirpp(const std::string& dir, std::vector<MaildirFolder>& out) {
  MOX_ASSIGN(auto names, list_dir(dir, false));
  for (const auto& n : names) {
    if (n.size() < 2 || n[0] != '.' || n == "..") continue;
    std::string sub = dir + "/" + n;
    if (!is_dir(sub) || !is_maildir(sub)) continue;
    std::vector<std::string> levels;
    size_t i = 1;
    while (i <= n.size()) {
      size_t j = n.find('.', i);
      if (j == std::string::npos) j = n.size();
      if (j > i) levels.push_back(n.substr(i, j - i));
      i = j + 1;
    }
    if (levels.empty()) continue;
    MOX_ASSIGN(MaildirFolder f, list_folder(sub, levels));
    f.maildirpp = true;
    out.push_back(std::move(f));
  }
  return {};
}

}  // namespace

bool is_maildir(const std::string& dir) { return is_dir(dir + "/cur") || is_dir(dir + "/new"); }

Result<std::vector<MaildirFolder>> walk_maildir(const std::string& path, bool recursive) {
  if (!is_dir(path)) return user_error(path + ": not a directory");
  std::vector<MaildirFolder> out;
  if (is_maildir(path)) {
    MOX_ASSIGN(MaildirFolder top, list_folder(path, {}));
    out.push_back(std::move(top));
  } else if (!recursive) {
    return user_error(path + ": not a maildir (no cur/ or new/ directory)");
  }
  if (recursive) {
    MOX_TRY(walk_maildirpp(path, out));
    MOX_TRY(walk_nested(path, {}, out));
    if (out.empty()) return user_error(path + ": no maildir found (no cur/ or new/ directory)");
  }
  return out;
}

std::string maildir_file_path(const MaildirFolder& folder, const MaildirFile& f) {
  return folder.path + (f.is_new ? "/new/" : "/cur/") + f.name;
}

Result<MaildirMessage> read_maildir_message(const MaildirFolder& folder, const MaildirFile& f,
                                            bool check_only) {
  std::string path = maildir_file_path(folder, f);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return os_error("open " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return os_error("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return syntax_error(path + ": not a regular file");
  size_t want = static_cast<size_t>(st.st_size);
  if (check_only) want = std::min<size_t>(want, 1 << 16);
  std::string raw(want, '\0');
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(fd.get(), raw.data() + got, want - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("read " + path, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  raw.resize(got);
  std::string_view first = std::string_view(raw).substr(0, raw.find('\n'));
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  if (!is_header_field_line(first))
    return syntax_error(path + ": line 1 (offset 0): not a mail message (no header field)");
  MaildirMessage m;
  m.received = f.name_time != 0 ? f.name_time : static_cast<int64_t>(st.st_mtime);
  if (!f.is_new) m.flags = parse_maildir_name(f.name, folder.keywords).flags;
  if (!check_only) append_crlf(m.data, raw);
  return m;
}

}  // namespace mox::mailio
