#include "mailio/mailboxpath.h"

namespace mox::mailio {

Result<std::string> mailbox_relpath(std::string_view name, bool maildir) {
  std::string_view rest = name;
  while (true) {
    size_t slash = rest.find('/');
    std::string_view level = rest.substr(0, slash);
    if (level.empty() || level == "." || level == "..") {
      return user_error("mailbox \"" + std::string(name) +
                        "\" cannot be a path: empty, \".\" or \"..\" level");
    }
    if (maildir && (level == "cur" || level == "new" || level == "tmp")) {
      return user_error("mailbox \"" + std::string(name) + "\" cannot be a Maildir path: level \"" +
                        std::string(level) + "\" is a Maildir directory");
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return std::string(name);
}

}  // namespace mox::mailio
