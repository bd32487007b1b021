#pragma once
// HTTP exchanges with an S3 server through libcurl: SigV4 signing (CURLOPT_AWS_SIGV4), a pool of easy handles
// so that connections are reused, streaming of request bodies from files and of response bodies into files,
// and retries of transient failures. Knows nothing of buckets or XML: s3_object_store.cpp builds the
// requests.
//
// Thread-safe: any number of threads may call Perform at once; each exchange leases its own handle.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/s3/s3_digest.h"

namespace cinerec::s3 {

// `length` bytes of the open file `fd` from `offset`, read with pread (the fd is shared, never seeked).
struct FileRange {
  int fd = -1;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST or DELETE
  // Fully percent-encoded, query parameters in SigV4 canonical order (sorted, "name=value" even when the
  // value is empty): curl 7.88 signs the query as written.
  std::string url;
  std::vector<std::string> headers;    // "Name: value"; curl signs every one of them
  std::string_view body;               // payload from memory (not owned: must outlive Perform)...
  std::optional<FileRange> file_body;  // ...or streamed from a file
  // SHA-256 hex of the payload (or "UNSIGNED-PAYLOAD"), sent as x-amz-content-sha256: curl does not add it.
  std::string payload_sha256 = std::string(kEmptySha256);
  // When >= 0, a 2xx response body is written to this file (from offset 0, truncated on each attempt) instead
  // of HttpResponse::body. Error bodies always go to HttpResponse::body.
  int sink_fd = -1;
  // Idempotent requests are retried on transient failures (connection refused/reset, 500/502/503/504);
  // others only when the connection could not be made at all (the request never left).
  bool idempotent = true;
  // Bounded by a stall timeout (no byte for `timeout`) instead of a total one: big files take longer.
  bool long_transfer = false;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string, std::less<>> headers;  // names in lower case, of the final response

  std::string Header(std::string_view name) const;  // "" when absent
};

struct HttpClientOptions {
  std::string region;
  std::string access_key;
  std::string secret_key;
  std::chrono::milliseconds timeout{30000};  // connect timeout, and total (or stall) timeout per attempt
  int max_attempts = 3;
  std::chrono::milliseconds first_backoff{100};  // doubled after each failed attempt
  std::size_t max_idle_handles = 8;              // idle handles (and their connections) kept for reuse
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs `request`, retrying as described above. Returns the response whatever its HTTP status (the
  // caller interprets S3 errors). Throws StoreError("s3", "<what>: <curl's reason> ...") when no response
  // came, and std::system_error when reading the request's file or writing the sink failed.
  HttpResponse Perform(const HttpRequest& request, const std::string& what);

 private:
  class HandlePool;
  struct Outcome;
  Outcome PerformOnce(const HttpRequest& request, HttpResponse& response);

  HttpClientOptions options_;
  std::string sigv4_;  // "aws:amz:<region>:s3"
  std::unique_ptr<HandlePool> pool_;
};

}  // namespace cinerec::s3
