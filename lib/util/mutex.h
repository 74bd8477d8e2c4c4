// A mutex, its scoped lock and a condition variable that clang's thread
// safety analysis understands (-Wthread-safety, on in clang builds), and the
// annotations that say which mutex guards a member or which a function needs:
// libstdc++'s std::mutex carries none. Under GCC the annotations are empty.
//
// A member read or written under a mutex is declared GUARDED_BY(mu_); a
// function that expects the caller to hold it REQUIRES(mu_); one that takes
// it itself EXCLUDES(mu_). Where two mutexes nest, ACQUIRED_BEFORE /
// ACQUIRED_AFTER state the order (checked with -Wthread-safety-beta).
//
// Thread-safety: Mutex and CondVar are made to be shared between threads;
// a MutexLock belongs to the thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define MOX_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define MOX_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) MOX_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY MOX_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) MOX_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) MOX_THREAD_ANNOTATION(pt_guarded_by(x))
#define ACQUIRED_BEFORE(...) MOX_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) MOX_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#define REQUIRES(...) MOX_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) MOX_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) MOX_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) MOX_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) MOX_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) MOX_THREAD_ANNOTATION(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS MOX_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace mox {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }
  bool try_lock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` from construction to destruction; unlock() and lock() release
// and take it again meanwhile (e.g. around slow work).
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() RELEASE() {
    mu_.unlock();
    held_ = false;
  }
  void lock() ACQUIRE() {
    mu_.lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// std::condition_variable over a Mutex. The waits take the mutex, held by
// the caller, and hold it again when they return; wake-ups may be spurious,
// so callers wait in a loop over their condition.
class CondVar {
 public:
  void wait(Mutex& mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> l(mu.mu_, std::adopt_lock);
    cv_.wait(l);
    l.release();
  }
  // False when `deadline` passed.
  template <class Clock, class Duration>
  bool wait_until(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline)
      REQUIRES(mu) {
    std::unique_lock<std::mutex> l(mu.mu_, std::adopt_lock);
    bool woken = cv_.wait_until(l, deadline) == std::cv_status::no_timeout;
    l.release();
    return woken;
  }
  template <class Rep, class Period>
  bool wait_for(Mutex& mu, const std::chrono::duration<Rep, Period>& d) REQUIRES(mu) {
    return wait_until(mu, std::chrono::steady_clock::now() + d);
  }
  void notify_one() { cv_.notify_one(); }
  void notify_all() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace mox
