#pragma once
// Internals of S3ObjectStore shared by its source files (s3_object_store.cpp, s3_multipart.cpp).
#include <string>

#include "common/config.h"
#include "storage/s3/s3_file.h"
#include "storage/s3/s3_http.h"
#include "storage/s3/s3_object_store.h"

namespace cinerec {

struct S3ObjectStore::Impl {
  Impl(const S3Config& config, const S3StoreOptions& options);

  // "<endpoint>/<bucket>/<encoded key>", plus "?<query>" (already canonical) when given.
  std::string ObjectUrl(const std::string& key, const std::string& query = {}) const;
  // "<METHOD> <bucket>/<key>": the start of every error message.
  std::string Describe(std::string_view method, const std::string& key) const;
  // Throws the StoreError for a refused request: status, S3 error code and message.
  [[noreturn]] void Fail(const std::string& what, const s3::HttpResponse& response) const;

  // Multipart upload of an open file (s3_multipart.cpp); aborts the upload when any step fails.
  void PutFileInParts(const std::string& key, const s3::OpenFile& file);

  const S3Config config;
  const S3StoreOptions options;
  const std::string bucket_url;  // "<endpoint>/<encoded bucket>"
  s3::HttpClient http;
};

// Keys must be non-empty (an empty key would address the bucket itself) and at most 1024 bytes (S3's limit).
void ValidateKey(const std::string& key);

inline bool IsSuccess(long status) {
  return status >= 200 && status < 300;
}

}  // namespace cinerec
