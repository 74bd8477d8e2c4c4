#include "auth/faildelay.h"

namespace mox::auth {

void FailureDelay::failed() {
  if (failures_ < kMaxCounted) ++failures_;
}

std::chrono::milliseconds FailureDelay::delay_before_next() const {
  if (failures_ <= kSlowAfter) return std::chrono::milliseconds(0);
  return unit_ * (failures_ - kSlowAfter);
}

}  // namespace mox::auth
