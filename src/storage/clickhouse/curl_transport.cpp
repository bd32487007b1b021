#include "storage/clickhouse/curl_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <mutex>

#include "common/errors.h"
#include "common/non_blocking.h"

namespace cinerec {
namespace {

std::once_flag curl_init_once;

std::size_t AppendBody(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t ReadHeader(char* data, std::size_t size, std::size_t count, void* user) {
  std::string_view line(data, size * count);
  constexpr std::string_view kName = "x-clickhouse-exception-code:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i)
      match = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) == kName[i];
    if (match) {
      auto value = line.substr(kName.size());
      while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
      int code = 0;
      std::from_chars(value.data(), value.data() + value.size(), code);
      static_cast<HttpResponse*>(user)->exception_code = code;
    }
  }
  return size * count;
}

bool IsConnectionError(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR
         || code == CURLE_GOT_NOTHING;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
};

}  // namespace

std::string UrlEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~')
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
  // curl_global_init is not thread-safe and must run once per process before any handle exists.
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlTransport::~CurlTransport() {
  for (void* handle : idle_)
    curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* CurlTransport::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr) throw StoreError("clickhouse", "curl_easy_init failed");
  return handle;
}

void CurlTransport::Release(void* handle, bool reusable) {
  if (reusable) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

HttpResponse CurlTransport::Perform(const std::string& url, const std::string_view* body,
                                    bool retry_on_connection_error) {
  ThrowIfMustNotBlock();
  for (int attempt = 0;; ++attempt) {
    auto* curl = static_cast<CURL*>(Acquire());
    // reset keeps the handle's live connections (that is the point of pooling) but clears every option.
    curl_easy_reset(curl);
    HttpResponse response;
    char error[CURL_ERROR_SIZE] = {};
    HeaderList headers;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we are multi-threaded
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
    if (body != nullptr) {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
      // No "Expect: 100-continue" round trip before large bodies: ClickHouse reads them anyway.
      headers.list = curl_slist_append(headers.list, "Expect:");
      headers.list = curl_slist_append(headers.list, "Content-Type: text/plain; charset=utf-8");
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
      Release(curl, true);
      return response;
    }
    Release(curl, false);  // its connection may be dead: never reuse it
    if (retry_on_connection_error && attempt == 0 && IsConnectionError(rc)) continue;
    std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
    const char* what = rc == CURLE_OPERATION_TIMEDOUT ? "timed out" : "failed";
    throw StoreError("clickhouse", fmt::format("{} {} {} after {} attempt(s): {}", body ? "POST" : "GET",
                                               options_.where, what, attempt + 1, detail));
  }
}

}  // namespace cinerec
