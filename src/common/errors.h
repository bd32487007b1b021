#pragma once
// One error convention for the whole library:
//  - ApiError: the client's mistake (or a refusal such as 404/409/429); becomes that status at the HTTP edge.
//  - StoreError: a store could not answer (down, timeout, protocol error); becomes 503 at the edge unless the
//    service degrades around it.
//  - anything else: a bug; becomes 500 at the edge, logged with the request id.
#include <stdexcept>
#include <string>

namespace cinerec {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }

 private:
  int status_;
  std::string code_;
};

inline ApiError BadRequest(const std::string& message) {
  return {400, "bad_request", message};
}
inline ApiError Unauthorized(const std::string& message) {
  return {401, "unauthorized", message};
}
inline ApiError Forbidden(const std::string& message) {
  return {403, "forbidden", message};
}
inline ApiError NotFound(const std::string& message) {
  return {404, "not_found", message};
}
inline ApiError Conflict(const std::string& message) {
  return {409, "conflict", message};
}
// 422: the JSON is well-formed but a field is missing or invalid; the message names the field.
inline ApiError Unprocessable(const std::string& field, const std::string& problem) {
  return {422, "invalid_field", field + ": " + problem};
}

class StoreError : public std::runtime_error {
 public:
  StoreError(std::string store, const std::string& message)
      : std::runtime_error(store + ": " + message), store_(std::move(store)) {}
  const std::string& store() const noexcept { return store_; }

 private:
  std::string store_;
};

// Invalid configuration: the message names the key and the reason.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cinerec
