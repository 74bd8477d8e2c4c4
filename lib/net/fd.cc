#include "net/fd.h"

#include <unistd.h>

namespace mox::net {

void UniqueFd::reset(int fd) {
  int old = std::exchange(fd_, fd);
  // Never retry close on EINTR: on Linux the descriptor is released anyway
  // and may already be reused by another thread.
  if (old >= 0) ::close(old);
}

}  // namespace mox::net
