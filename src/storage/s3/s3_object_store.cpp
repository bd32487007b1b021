#include "storage/s3/s3_object_store.h"

#include <charconv>
#include <stdexcept>

#include "common/errors.h"
#include "storage/s3/s3_codec.h"
#include "storage/s3/s3_digest.h"
#include "storage/s3/s3_object_store_impl.h"
#include "storage/s3/s3_xml.h"

namespace cinerec {
namespace {

constexpr std::size_t kMaxKeyBytes = 1024;
constexpr std::size_t kMaxErrorExcerpt = 300;
constexpr const char* kDefaultRegion = "us-east-1";  // the one region whose CreateBucket takes no body

std::string TrimTrailingSlashes(std::string text) {
  while (!text.empty() && text.back() == '/')
    text.pop_back();
  return text;
}

s3::HttpClientOptions HttpOptions(const S3Config& config, const S3StoreOptions& options) {
  s3::HttpClientOptions http;
  http.region = config.region;
  http.access_key = config.access_key;
  http.secret_key = config.secret_key;
  http.timeout = config.timeout;
  http.max_attempts = options.max_attempts;
  http.first_backoff = options.first_backoff;
  return http;
}

// A 404 about the key (NoSuchKey, or no body at all) as opposed to one about the bucket (NoSuchBucket).
bool IsMissingKey(const s3::HttpResponse& response) {
  if (response.status != 404) return false;
  const auto error = s3::ParseError(response.body);
  return !error || error->code != "NoSuchBucket";
}

std::uint64_t ParseContentLength(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw StoreError("s3", "malformed answer: Content-Length '" + text + "'");
  }
  return value;
}

}  // namespace

void ValidateKey(const std::string& key) {
  if (key.empty()) throw std::invalid_argument("s3: an object key must not be empty");
  if (key.size() > kMaxKeyBytes) throw std::invalid_argument("s3: an object key is limited to 1024 bytes");
}

S3ObjectStore::Impl::Impl(const S3Config& config_in, const S3StoreOptions& options_in)
    : config(config_in),
      options(options_in),
      bucket_url(TrimTrailingSlashes(config_in.endpoint) + "/" + s3::UriEncode(config_in.bucket, false)),
      http(HttpOptions(config_in, options_in)) {}

std::string S3ObjectStore::Impl::ObjectUrl(const std::string& key, const std::string& query) const {
  std::string url = bucket_url + "/" + s3::UriEncode(key, true);
  if (!query.empty()) url += "?" + query;
  return url;
}

std::string S3ObjectStore::Impl::Describe(std::string_view method, const std::string& key) const {
  return std::string(method) + " " + config.bucket + "/" + key;
}

void S3ObjectStore::Impl::Fail(const std::string& what, const s3::HttpResponse& response) const {
  std::string message = what + ": HTTP " + std::to_string(response.status);
  if (const auto error = s3::ParseError(response.body)) {
    message += " " + error->code + ": " + error->message;
  } else if (!response.body.empty()) {
    message += ": " + response.body.substr(0, kMaxErrorExcerpt);
  } else {
    message += " (no error body)";
  }
  throw StoreError("s3", message);
}

S3ObjectStore::S3ObjectStore(const S3Config& config, const S3StoreOptions& options)
    : impl_(std::make_unique<Impl>(config, options)) {
  if (options.list_page_size < 1 || options.list_page_size > 1000) {
    throw std::invalid_argument("s3: list_page_size must be within 1..1000");
  }
}

S3ObjectStore::~S3ObjectStore() = default;

void S3ObjectStore::CreateBucket() {
  const std::string what = "CreateBucket " + impl_->config.bucket;
  s3::HttpRequest request;
  request.method = "PUT";
  std::string body;
  if (impl_->config.region != kDefaultRegion) {
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>"
           + impl_->config.region + "</LocationConstraint></CreateBucketConfiguration>";
    request.headers.push_back("Content-Type: application/xml");
  }
  request.url = impl_->bucket_url;
  request.body = body;
  request.payload_sha256 = s3::Sha256Hex(body);
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (IsSuccess(response.status)) return;
  if (response.status == 409) {
    const auto error = s3::ParseError(response.body);
    if (error && error->code == "BucketAlreadyOwnedByYou") return;
    // Some servers answer BucketAlreadyExists to the owner too: it is ours if we may use it.
    s3::HttpRequest head;
    head.method = "HEAD";
    head.url = impl_->bucket_url;
    if (IsSuccess(impl_->http.Perform(head, what).status)) return;
  }
  impl_->Fail(what, response);
}

void S3ObjectStore::Put(const std::string& key, std::string_view data, const std::string& content_type) {
  ValidateKey(key);
  s3::HttpRequest request;
  request.method = "PUT";
  request.url = impl_->ObjectUrl(key);
  request.headers.push_back("Content-Type: " + content_type);
  request.body = data;
  request.payload_sha256 = s3::Sha256Hex(data);
  const std::string what = impl_->Describe("PUT", key);
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (!IsSuccess(response.status)) impl_->Fail(what, response);
}

void S3ObjectStore::PutFile(const std::string& key, const std::filesystem::path& file) {
  ValidateKey(key);
  const s3::OpenFile opened = s3::OpenForReading(file);
  if (opened.size > impl_->config.multipart_threshold) {
    impl_->PutFileInParts(key, opened);
    return;
  }
  s3::HttpRequest request;
  request.method = "PUT";
  request.url = impl_->ObjectUrl(key);
  request.headers.push_back("Content-Type: application/octet-stream");
  request.file_body = s3::FileRange{opened.fd.get(), 0, opened.size};
  // Hashing reads the file once more (from the page cache), but a signed payload lets the server reject a
  // corrupted or concurrently modified upload; UNSIGNED-PAYLOAD would not.
  request.payload_sha256 = s3::Sha256HexOfFile(opened.fd.get(), 0, opened.size);
  request.long_transfer = true;
  const std::string what = impl_->Describe("PUT", key);
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (!IsSuccess(response.status)) impl_->Fail(what, response);
}

std::optional<std::string> S3ObjectStore::Get(const std::string& key) {
  ValidateKey(key);
  s3::HttpRequest request;
  request.url = impl_->ObjectUrl(key);
  const std::string what = impl_->Describe("GET", key);
  s3::HttpResponse response = impl_->http.Perform(request, what);
  if (IsSuccess(response.status)) return std::move(response.body);
  if (IsMissingKey(response)) return std::nullopt;
  impl_->Fail(what, response);
}

bool S3ObjectStore::GetToFile(const std::string& key, const std::filesystem::path& file) {
  ValidateKey(key);
  s3::TempFileBeside temp(file);
  s3::HttpRequest request;
  request.url = impl_->ObjectUrl(key);
  request.sink_fd = temp.fd();
  request.long_transfer = true;
  const std::string what = impl_->Describe("GET", key);
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (IsSuccess(response.status)) {
    temp.Commit();
    return true;
  }
  if (IsMissingKey(response)) return false;
  impl_->Fail(what, response);
}

std::optional<ObjectInfo> S3ObjectStore::Head(const std::string& key) {
  ValidateKey(key);
  s3::HttpRequest request;
  request.method = "HEAD";
  request.url = impl_->ObjectUrl(key);
  const std::string what = impl_->Describe("HEAD", key);
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (response.status == 404) return std::nullopt;
  if (!IsSuccess(response.status)) impl_->Fail(what, response);
  ObjectInfo info;
  info.key = key;
  info.size = ParseContentLength(response.Header("content-length"));
  info.etag = s3::Unquote(response.Header("etag"));
  info.last_modified = s3::HttpDateToIso8601(response.Header("last-modified"));
  return info;
}

std::vector<ObjectInfo> S3ObjectStore::List(const std::string& prefix) {
  const std::string what = "ListObjectsV2 " + impl_->config.bucket + "/" + prefix;
  std::vector<ObjectInfo> objects;
  std::string token;
  do {
    // Parameters in canonical (sorted) order; encoding-type=url keeps keys with control characters legal XML.
    std::string query;
    if (!token.empty()) query += "continuation-token=" + s3::UriEncode(token, false) + "&";
    query += "encoding-type=url&list-type=2&max-keys=" + std::to_string(impl_->options.list_page_size);
    if (!prefix.empty()) query += "&prefix=" + s3::UriEncode(prefix, false);
    s3::HttpRequest request;
    request.url = impl_->bucket_url + "?" + query;
    const s3::HttpResponse response = impl_->http.Perform(request, what);
    if (!IsSuccess(response.status)) impl_->Fail(what, response);
    s3::ListPage page = s3::ParseListPage(response.body);
    objects.insert(objects.end(), std::make_move_iterator(page.objects.begin()),
                   std::make_move_iterator(page.objects.end()));
    token = page.truncated ? page.next_continuation_token : std::string();
  } while (!token.empty());
  return objects;
}

void S3ObjectStore::Delete(const std::string& key) {
  ValidateKey(key);
  s3::HttpRequest request;
  request.method = "DELETE";
  request.url = impl_->ObjectUrl(key);
  const std::string what = impl_->Describe("DELETE", key);
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (!IsSuccess(response.status) && !IsMissingKey(response)) impl_->Fail(what, response);
}

void S3ObjectStore::Ping() {
  s3::HttpRequest request;
  request.url = impl_->bucket_url + "?location=";
  const std::string what = "GetBucketLocation " + impl_->config.bucket;
  const s3::HttpResponse response = impl_->http.Perform(request, what);
  if (!IsSuccess(response.status)) impl_->Fail(what, response);
}

}  // namespace cinerec
