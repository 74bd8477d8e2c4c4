// Result<T>: an error-or-value type used across every module boundary.
// Errors are values (docs/DESIGN.md "Code conventions"); peer input never
// throws or aborts.
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace mox {

// What went wrong, so that each protocol can map it to one reply in one place.
enum class ErrorKind {
  kUser,       // the caller asked for something invalid (bad argument, exists)
  kSyntax,     // malformed input
  kNotFound,   // the thing named does not exist
  kTemporary,  // try again later (busy, disabled domain, lock held)
  kPermanent,  // will never succeed
  kInternal,   // a bug or an OS/library failure
  kTimeout,    // a peer or a lock did not answer in time (temporary)
  kNoSpace,    // the disk is full (ENOSPC, EDQUOT, SQLITE_FULL; temporary)
  kOverQuota,  // an account's QuotaMessageSize would be exceeded (temporary:
               // room is made by removing messages)
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;
};

inline Error user_error(std::string m) { return {ErrorKind::kUser, std::move(m)}; }
inline Error syntax_error(std::string m) { return {ErrorKind::kSyntax, std::move(m)}; }
inline Error not_found(std::string m) { return {ErrorKind::kNotFound, std::move(m)}; }
inline Error temporary_error(std::string m) { return {ErrorKind::kTemporary, std::move(m)}; }
inline Error internal_error(std::string m) { return {ErrorKind::kInternal, std::move(m)}; }
inline Error timeout_error(std::string m) { return {ErrorKind::kTimeout, std::move(m)}; }
// An error of an OS call: "what: strerror(err)", of the kind that errno means
// (ENOENT not found, ENOSPC/EDQUOT no space, ETIMEDOUT timeout, EMFILE,
// ENFILE, ENOMEM and EAGAIN temporary, anything else internal).
Error os_error(const std::string& what, int err);
// Whether trying again later may succeed.
inline bool is_temporary(const Error& e) {
  return e.kind == ErrorKind::kTemporary || e.kind == ErrorKind::kTimeout ||
         e.kind == ErrorKind::kNoSpace || e.kind == ErrorKind::kOverQuota;
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}      // NOLINT: implicit by design
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  void check() const {
    if (v_.index() != 0) std::abort();  // broken invariant: value() of an error
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return err_; }
  Error&& error() && { return std::move(err_); }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace mox

// Propagate an error from an expression returning Result<...>.
#define MOX_TRY(expr)                                           \
  do {                                                          \
    auto mox_try_r_ = (expr);                                   \
    if (!mox_try_r_.ok()) return std::move(mox_try_r_).error(); \
  } while (0)

#define MOX_CONCAT_INNER_(a, b) a##b
#define MOX_CONCAT_(a, b) MOX_CONCAT_INNER_(a, b)
// MOX_ASSIGN(auto x, expr): declare x from the value of expr, or return its error.
#define MOX_ASSIGN(decl, expr) MOX_ASSIGN_IMPL_(MOX_CONCAT_(mox_assign_r_, __LINE__), decl, expr)
#define MOX_ASSIGN_IMPL_(tmp, decl, expr)       \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
