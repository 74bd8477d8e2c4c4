// Per-connection slow-down after failed authentications
// (mox-smtpd(8) and mox-imapd(8) "Authentication"):
// each failed attempt counts; once more than 3 failures accumulated, every
// further attempt first waits (failures − 3) units (1 s in production); from
// 3 failures on the connection is "slow" (the protocol may delay its
// responses). A success resets the count.
//
// The protocol asks delay_before_next() at the start of each attempt and
// sleeps that long itself; this class does no I/O and keeps no clock, so
// tests pass a millisecond unit or just check the values.
// Thread-safety: one connection, one thread.
#pragma once

#include <chrono>

namespace mox::auth {

class FailureDelay {
 public:
  explicit FailureDelay(std::chrono::milliseconds unit = std::chrono::seconds(1)) : unit_(unit) {}

  void failed();
  void succeeded() { failures_ = 0; }

  int failures() const { return failures_; }
  bool slow() const { return failures_ >= kSlowAfter; }
  // How long to wait before handling the next attempt: (failures − 3) × unit
  // when failures > 3, else zero.
  std::chrono::milliseconds delay_before_next() const;

  static constexpr int kSlowAfter = 3;
  // The count saturates here (a connection is cut off by the per-IP limiter
  // long before); keeps the arithmetic far from overflow.
  static constexpr int kMaxCounted = 1000;

 private:
  std::chrono::milliseconds unit_;
  int failures_ = 0;
};

}  // namespace mox::auth
