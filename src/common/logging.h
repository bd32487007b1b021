#pragma once
// Process-wide logging (spdlog). Every line carries the id of the request being served on this thread, if
// any: wrap request handling in a ScopedRequestId.
#include <string>
#include <string_view>

namespace cinerec {

struct LogConfig;

// Sets the default logger's level and format ("text" or "json" lines on stderr). Safe to call again.
void InitLogging(const LogConfig& config);

// Marks every log line written by this thread, while the object lives, with `request_id`.
class ScopedRequestId {
 public:
  explicit ScopedRequestId(std::string_view request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

// The request id of this thread ("" outside a request).
const std::string& CurrentRequestId();

}  // namespace cinerec
