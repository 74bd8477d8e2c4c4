// The owned file descriptor type of lib/net is the project's one UniqueFd.
#pragma once

#include "util/unique_fd.h"

namespace mox::net {
using mox::UniqueFd;
}  // namespace mox::net
