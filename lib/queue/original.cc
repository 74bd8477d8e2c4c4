#include "queue/original.h"

#include <fcntl.h>
#include <unistd.h>

#include "message/header.h"
#include "queue/queuedb.h"
#include "util/unique_fd.h"

namespace mox::queue {

std::string original_header(const std::string& data_dir, int64_t id) {
  UniqueFd fd(::open(queue_message_path(data_dir, id).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return "";
  auto h = message::read_header(fd.get(), 0);
  if (!h) return "";
  std::string text(static_cast<size_t>(h->size), '\0');
  ssize_t n = ::pread(fd.get(), text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  // Without the blank line that ends the header section.
  while (text.size() >= 2 && text.substr(text.size() - 2) == "\r\n" &&
         (text.size() < 4 || text.substr(text.size() - 4) == "\r\n\r\n")) {
    text.resize(text.size() - 2);
  }
  return text;
}

}  // namespace mox::queue
