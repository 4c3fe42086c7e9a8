// Errors as values: every network-facing operation returns result<T>.
// A misbehaving peer produces an error value with a message a user can act on;
// exceptions are reserved for programming errors and start-up failures.
#pragma once

#include <cassert>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace agentp2p {

enum class errc {
  ok = 0,
  end_of_stream,        // the remote closed its side; no more data
  closed,               // the local side closed the stream/connection
  reset,                // the stream/connection was reset
  timeout,              // a deadline expired
  cancelled,            // the operation was cancelled by its owner
  protocol_error,       // the remote violated a protocol
  decode_error,         // malformed input
  too_large,            // input exceeds a size limit
  limit_exceeded,       // a resource limit was hit
  unsupported,          // no common protocol / unsupported feature
  invalid_argument,     // caller passed something invalid
  peer_id_mismatch,     // remote identity differs from the expected one
  handshake_failed,     // security handshake failed
  crypto_error,         // signature/decryption/key failure
  not_found,            // no such peer/protocol/handler/address
  io_error,             // OS-level I/O failure
  connection_refused,   // dial refused
  already_exists,
  permission_denied,    // refused by access control (gater, tool policy)
};

}  // namespace agentp2p

template <>
struct std::is_error_code_enum<agentp2p::errc> : std::true_type {};

namespace agentp2p {

const std::error_category& agentp2p_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// An error code plus a human-readable message that says what happened and
// (where it matters) to whom: "noise: expected peer 12D3…A but met 12D3…B".
struct error {
  std::error_code code;
  std::string message;

  error() = default;
  error(errc e, std::string msg) : code(make_error_code(e)), message(std::move(msg)) {}
  error(std::error_code ec, std::string msg) : code(ec), message(std::move(msg)) {}

  bool is(errc e) const noexcept { return code == make_error_code(e); }
  // "message (code text)" — for logs and exceptions.
  std::string what() const;
};

// Thrown by result<T>::value() on an error; carries the full error.
class result_error : public std::runtime_error {
 public:
  explicit result_error(agentp2p::error e) : std::runtime_error(e.what()), err_(std::move(e)) {}
  const agentp2p::error& err() const noexcept { return err_; }

 private:
  agentp2p::error err_;
};

template <class T>
class [[nodiscard]] result {
 public:
  using value_type = T;
  // Default-constructed results hold an error: Asio's co_spawn needs a
  // default value to report alongside an exception.
  result() : v_(std::in_place_index<1>, agentp2p::error(errc::cancelled, "no result")) {}
  result(T v) : v_(std::in_place_index<0>, std::move(v)) {}                 // NOLINT
  result(agentp2p::error e) : v_(std::in_place_index<1>, std::move(e)) {}   // NOLINT
  template <class U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, agentp2p::error> &&
             !std::is_same_v<std::decay_t<U>, result>)
  result(U&& u) : v_(std::in_place_index<0>, T(std::forward<U>(u))) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { assert(has_value()); return std::get<0>(v_); }
  const T& operator*() const& { assert(has_value()); return std::get<0>(v_); }
  T&& operator*() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T* operator->() { assert(has_value()); return &std::get<0>(v_); }
  const T* operator->() const { assert(has_value()); return &std::get<0>(v_); }

  const agentp2p::error& error() const& { assert(!has_value()); return std::get<1>(v_); }
  agentp2p::error&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

 private:
  void check() const {
    if (!has_value()) throw result_error(std::get<1>(v_));
  }
  std::variant<T, agentp2p::error> v_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;
  result() = default;
  result(agentp2p::error e) : err_(std::move(e)), ok_(false) {}  // NOLINT

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) throw result_error(err_);
  }
  const agentp2p::error& error() const& { assert(!ok_); return err_; }
  agentp2p::error&& error() && { assert(!ok_); return std::move(err_); }

 private:
  agentp2p::error err_;
  bool ok_ = true;
};

inline result<void> ok() { return {}; }

inline agentp2p::error make_error(errc e, std::string msg) { return {e, std::move(msg)}; }

// Turns an OS/Asio error code into an agentp2p::error, keeping the original code.
agentp2p::error from_system(std::error_code ec, std::string_view context);

}  // namespace agentp2p

#define AGENTP2P_CONCAT_INNER(a, b) a##b
#define AGENTP2P_CONCAT(a, b) AGENTP2P_CONCAT_INNER(a, b)

// In a coroutine returning awaitable<result<U>>: evaluate expr (a result<T>,
// usually `co_await ...`), propagate its error, else bind its value to `lhs`.
//   AP_CO_TRY(auto n, co_await s.read_some(buf));
#define AP_CO_TRY(lhs, expr)                                         \
  auto AGENTP2P_CONCAT(ap_try_, __LINE__) = (expr);                  \
  if (!AGENTP2P_CONCAT(ap_try_, __LINE__))                           \
    co_return std::move(AGENTP2P_CONCAT(ap_try_, __LINE__)).error(); \
  lhs = std::move(*AGENTP2P_CONCAT(ap_try_, __LINE__))

// Same for result<void>.
#define AP_CO_TRYV(expr)                                             \
  do {                                                               \
    auto ap_tryv_ = (expr);                                          \
    if (!ap_tryv_) co_return std::move(ap_tryv_).error();            \
  } while (0)

// Non-coroutine variants.
#define AP_TRY(lhs, expr)                                            \
  auto AGENTP2P_CONCAT(ap_try_, __LINE__) = (expr);                  \
  if (!AGENTP2P_CONCAT(ap_try_, __LINE__))                           \
    return std::move(AGENTP2P_CONCAT(ap_try_, __LINE__)).error();    \
  lhs = std::move(*AGENTP2P_CONCAT(ap_try_, __LINE__))

#define AP_TRYV(expr)                                                \
  do {                                                               \
    auto ap_tryv_ = (expr);                                          \
    if (!ap_tryv_) return std::move(ap_tryv_).error();               \
  } while (0)
