#pragma once
// ObjectStore over the S3 REST API: libcurl with its built-in SigV4 signing, path-style addressing
// (http://endpoint/bucket/key), XML answers parsed with pugixml. Any S3-compatible server: AWS, MinIO, Ceph
// RGW, OpenStack Swift's s3api.
//
// Thread-safe: one instance serves every thread; each call leases a pooled curl handle, so connections are
// reused, and a handle whose transfer failed is dropped, so the instance recovers by itself when a restarted
// server comes back. Idempotent calls (everything except the POSTs of a multipart upload) are retried twice
// on transient failures (connection refused/reset, HTTP 500/502/503/504 such as SlowDown) with 100 ms, then
// 200 ms of backoff. Each attempt is bounded by S3Config::timeout (connecting, and the whole exchange; for
// PutFile, GetToFile and parts: no byte moving for that long).
//
// Errors: StoreError("s3", "<METHOD> <bucket>/<key>: HTTP <status> <S3 code>: <S3 message>") when the server
// refuses, or with curl's reason when it cannot be reached. Local file problems in PutFile/GetToFile throw
// std::filesystem::filesystem_error or std::system_error; an empty key throws std::invalid_argument.
#include <chrono>
#include <cstddef>
#include <memory>

#include "storage/s3/object_store.h"

namespace cinerec {

struct S3Config;

// Knobs that are not deployment configuration: tests shrink them to exercise paging and retries quickly.
struct S3StoreOptions {
  std::size_t list_page_size = 1000;  // max-keys of each ListObjectsV2 request (S3 caps it at 1000)
  int max_attempts = 3;               // per idempotent request, first try included
  std::chrono::milliseconds first_backoff{100};
};

class S3ObjectStore final : public ObjectStore {
 public:
  explicit S3ObjectStore(const S3Config& config, const S3StoreOptions& options = {});
  ~S3ObjectStore() override;
  S3ObjectStore(const S3ObjectStore&) = delete;
  S3ObjectStore& operator=(const S3ObjectStore&) = delete;

  void CreateBucket() override;
  // The same default as ObjectStore's, so that callers holding an S3ObjectStore may omit it too.
  void Put(const std::string& key, std::string_view data,
           const std::string& content_type = "application/octet-stream") override;
  void PutFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<std::string> Get(const std::string& key) override;
  bool GetToFile(const std::string& key, const std::filesystem::path& file) override;
  // Head of a key in a missing bucket is nullopt as well: HEAD answers carry no error code to tell them
  // apart.
  std::optional<ObjectInfo> Head(const std::string& key) override;
  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Delete(const std::string& key) override;
  // GetBucketLocation on the configured bucket: a cheap signed request whose error answer, unlike HEAD's,
  // names the problem (SignatureDoesNotMatch, NoSuchBucket, InvalidAccessKeyId).
  void Ping() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec
