#pragma once
// HTTP for the ClickHouse adapter (internal): libcurl easy handles kept in a small pool so that their
// keep-alive connections are reused. Thread-safe: each request borrows a handle for its duration.
// A handle whose transfer failed is destroyed rather than pooled, so a restarted server gets fresh
// connections on the next call.
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec {

struct HttpResponse {
  long status = 0;
  std::string body;
  int exception_code = 0;  // X-ClickHouse-Exception-Code header (current versions), 0 if absent
};

struct CurlTransportOptions {
  std::string user;
  std::string password;
  std::chrono::milliseconds timeout{10000};
  std::string where;  // redacted server URL, for error messages
  std::size_t max_idle_handles = 8;
};

class CurlTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options);
  ~CurlTransport();
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // GET when `body` is null, else POST of *body. Returns any HTTP answer; throws StoreError("clickhouse",
  // ...) when no answer came (refused, reset, timeout). With retry_on_connection_error, a connection that
  // failed before an answer (not a timeout) is retried once on a new connection: only for idempotent
  // requests.
  HttpResponse Perform(const std::string& url, const std::string_view* body, bool retry_on_connection_error);

 private:
  void* Acquire();
  void Release(void* handle, bool reusable);

  CurlTransportOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // GUARDED_BY(mutex_); CURL* kept opaque so the header needs no curl.h
};

// Percent-encodes everything except unreserved characters, for URL query values.
std::string UrlEncode(std::string_view text);

}  // namespace cinerec
