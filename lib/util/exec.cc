#include "util/exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace mox {

Result<std::string> find_program(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return user_error("invalid program name \"" + name + "\"");
  }
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto p = self.parent_path() / name;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) {
      std::string p = dir + "/" + name;
      if (::access(p.c_str(), X_OK) == 0) return p;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return not_found("program " + name + " not found next to this program or on PATH");
}

Error exec_program(const std::string& path, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(path.c_str(), argv.data());
  return internal_error("exec " + path + ": " + std::strerror(errno));
}

}  // namespace mox
