#include "storage/s3/s3_http.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include "common/errors.h"
#include "common/non_blocking.h"

namespace cinerec::s3 {
namespace {

// Waiting for "100 Continue" before a big upload costs at most this when a server ignores Expect; Swift and
// AWS answer it at once. (Removing the Expect header instead would get it signed and break SigV4.)
constexpr long kExpect100TimeoutMs = 500;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw StoreError("s3", "curl_global_init failed");
  });
}

bool IsTransientStatus(long status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

bool IsTransientCurlError(CURLcode code, bool idempotent) {
  if (code == CURLE_COULDNT_CONNECT) return true;  // nothing was sent: always safe to try again
  if (!idempotent) return false;
  // A dead keep-alive connection (server restarted) shows up as one of these. Timeouts are not retried: the
  // caller's time budget is already spent.
  return code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING
         || code == CURLE_PARTIAL_FILE;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty()
         && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

// What the callbacks of one attempt share.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  CURL* handle = nullptr;
  std::uint64_t read_position = 0;  // within the request body
  std::uint64_t sink_position = 0;  // bytes written to the sink
  int io_errno = 0;                 // set when reading the body file or writing the sink failed
};

std::uint64_t BodyLength(const HttpRequest& request) {
  return request.file_body ? request.file_body->length : request.body.size();
}

std::size_t ReadBody(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const HttpRequest& request = *transfer.request;
  const std::uint64_t remaining = BodyLength(request) - transfer.read_position;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * count, remaining));
  if (want == 0) return 0;
  if (!request.file_body) {
    std::memcpy(buffer, request.body.data() + transfer.read_position, want);
    transfer.read_position += want;
    return want;
  }
  ssize_t got = 0;
  do {
    got = pread(request.file_body->fd, buffer, want,
                static_cast<off_t>(request.file_body->offset + transfer.read_position));
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    transfer.io_errno = got < 0 ? errno : EIO;  // EIO: the file shrank while we were sending it
    return CURL_READFUNC_ABORT;
  }
  transfer.read_position += static_cast<std::uint64_t>(got);
  return static_cast<std::size_t>(got);
}

// curl rewinds the body when it must send it again (e.g. the server refused "Expect: 100-continue").
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto& transfer = *static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0
      || static_cast<std::uint64_t>(offset) > BodyLength(*transfer.request)) {
    return CURL_SEEKFUNC_FAIL;
  }
  transfer.read_position = static_cast<std::uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::size_t WriteBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t total = size * count;
  long status = 0;
  curl_easy_getinfo(transfer.handle, CURLINFO_RESPONSE_CODE, &status);
  const int sink = transfer.request->sink_fd;
  if (sink < 0 || status < 200 || status >= 300) {
    transfer.response->body.append(data, total);
    return total;
  }
  std::size_t written = 0;
  while (written < total) {
    const ssize_t n =
        pwrite(sink, data + written, total - written, static_cast<off_t>(transfer.sink_position));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      transfer.io_errno = n < 0 ? errno : EIO;
      return 0;  // makes curl fail with CURLE_WRITE_ERROR
    }
    written += static_cast<std::size_t>(n);
    transfer.sink_position += static_cast<std::uint64_t>(n);
  }
  return total;
}

std::size_t ReadHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t total = size * count;
  const std::string_view line(data, total);
  if (line.starts_with("HTTP/")) {
    transfer.response->headers.clear();  // a new response begins (after "100 Continue", for instance)
    return total;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return total;
  std::string name(Trim(line.substr(0, colon)));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  transfer.response->headers[std::move(name)] = std::string(Trim(line.substr(colon + 1)));
  return total;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void Append(HeaderList& list, const std::string& header) {
  curl_slist* appended = curl_slist_append(list.get(), header.c_str());
  if (appended == nullptr) throw std::bad_alloc();
  list.release();
  list.reset(appended);
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

// Idle easy handles. A handle keeps its connection cache across curl_easy_reset, so reusing handles reuses
// connections; a handle whose transfer failed is destroyed with its connections, so the next request after a
// server restart dials afresh.
class HttpClient::HandlePool {
 public:
  explicit HandlePool(std::size_t max_idle) : max_idle_(max_idle) {}
  ~HandlePool() {
    for (CURL* handle : idle_)
      curl_easy_cleanup(handle);
  }
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  CURL* Acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        CURL* handle = idle_.back();
        idle_.pop_back();
        return handle;
      }
    }
    CURL* handle = curl_easy_init();
    if (handle == nullptr) throw StoreError("s3", "curl_easy_init failed");
    return handle;
  }

  void Release(CURL* handle, bool reusable) {
    if (reusable) {
      curl_easy_reset(handle);
      std::lock_guard lock(mutex_);
      if (idle_.size() < max_idle_) {
        idle_.push_back(handle);
        return;
      }
    }
    curl_easy_cleanup(handle);
  }

 private:
  const std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;  // guarded by mutex_
};

struct HttpClient::Outcome {
  CURLcode code = CURLE_OK;
  std::string error;  // curl's explanation when code != CURLE_OK
  int io_errno = 0;
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)),
      sigv4_("aws:amz:" + options_.region + ":s3"),
      pool_(std::make_unique<HandlePool>(options_.max_idle_handles)) {
  GlobalInitOnce();
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Perform(const HttpRequest& request, const std::string& what) {
  ThrowIfMustNotBlock();
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int attempt = 1;; ++attempt) {
    if (request.sink_fd >= 0 && ftruncate(request.sink_fd, 0) != 0) {
      throw std::system_error(errno, std::generic_category(), what + ": cannot truncate the download file");
    }
    HttpResponse response;
    const Outcome outcome = PerformOnce(request, response);
    const bool last = attempt >= options_.max_attempts;
    if (outcome.code == CURLE_OK) {
      if (last || !request.idempotent || !IsTransientStatus(response.status)) return response;
    } else if (outcome.io_errno != 0) {
      throw std::system_error(
          outcome.io_errno, std::generic_category(),
          what + (request.sink_fd >= 0 ? ": writing the download" : ": reading the upload"));
    } else if (last || !IsTransientCurlError(outcome.code, request.idempotent)) {
      throw StoreError("s3", what + ": " + outcome.error + " (curl error " + std::to_string(outcome.code)
                                 + ", " + std::to_string(attempt)
                                 + (attempt == 1 ? " attempt)" : " attempts)"));
    }
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

HttpClient::Outcome HttpClient::PerformOnce(const HttpRequest& request, HttpResponse& response) {
  HeaderList headers;
  for (const std::string& header : request.headers)
    Append(headers, header);
  Append(headers, "x-amz-content-sha256: " + request.payload_sha256);

  // Nothing below throws until Release.
  CURL* handle = pool_->Acquire();
  Transfer transfer{&request, &response, handle};
  char error_buffer[CURL_ERROR_SIZE] = {};

  const long timeout_ms = static_cast<long>(options_.timeout.count());
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_PATH_AS_IS, 1L);  // keys may contain "./" or "../": send them verbatim
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);    // timeouts without SIGALRM: we are multi-threaded
  curl_easy_setopt(handle, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  // Separate options, not "user:password": Swift's access keys ("test:tester") contain ':'.
  curl_easy_setopt(handle, CURLOPT_USERNAME, options_.access_key.c_str());
  curl_easy_setopt(handle, CURLOPT_PASSWORD, options_.secret_key.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_EXPECT_100_TIMEOUT_MS, kExpect100TimeoutMs);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  if (request.long_transfer) {
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, std::max(1L, timeout_ms / 1000));
  } else {
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  }
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &ReadHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);

  const auto length = static_cast<curl_off_t>(BodyLength(request));
  if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
    if (request.method == "PUT") {
      curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, length);
    } else {
      curl_easy_setopt(handle, CURLOPT_POST, 1L);
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, length);
    }
  } else if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  Outcome outcome;
  outcome.code = curl_easy_perform(handle);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  if (outcome.code != CURLE_OK) {
    outcome.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(outcome.code);
    outcome.io_errno = transfer.io_errno;
  }
  pool_->Release(handle, outcome.code == CURLE_OK);
  return outcome;
}

}  // namespace cinerec::s3
