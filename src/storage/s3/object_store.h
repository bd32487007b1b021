#pragma once
// The object-store boundary (S3 and compatibles: MinIO, Ceph RGW, Swift s3api, AWS).
// S3ObjectStore (s3_object_store.h) talks to a real server with SigV4 and path-style addressing;
// InMemoryObjectStore (in_memory_object_store.h) is the fake for unit tests.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "storage/store_probe.h"

namespace cinerec {

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;           // as the server sent it, without quotes
  std::string last_modified;  // ISO-8601, as the server sent it
};

class ObjectStore : public StoreProbe {
 public:
  std::string_view StoreName() const override { return "s3"; }

  // Creates the configured bucket; succeeds if it already exists and is ours.
  virtual void CreateBucket() = 0;
  virtual void Put(const std::string& key, std::string_view data, const std::string& content_type = "application/octet-stream") = 0;
  // Streams a file; files above the multipart threshold go up in parts (and an aborted upload is cleaned up).
  virtual void PutFile(const std::string& key, const std::filesystem::path& file) = 0;
  // nullopt when the key does not exist.
  virtual std::optional<std::string> Get(const std::string& key) = 0;
  // Streams the object into `file` (written to a temporary name, then renamed). False when the key does not exist.
  virtual bool GetToFile(const std::string& key, const std::filesystem::path& file) = 0;
  virtual std::optional<ObjectInfo> Head(const std::string& key) = 0;
  // Every key under `prefix` (follows continuation tokens), in key order.
  virtual std::vector<ObjectInfo> List(const std::string& prefix) = 0;
  // Deleting a missing key succeeds (S3 semantics).
  virtual void Delete(const std::string& key) = 0;
  // All methods throw StoreError("s3", ...) when the server cannot be reached or refuses the request
  // (the message carries S3's error code, e.g. SignatureDoesNotMatch). Thread-safe.
};

}  // namespace cinerec
