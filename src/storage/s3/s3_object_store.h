#pragma once
// ObjectStore over the S3 REST API: libcurl with its built-in SigV4 signing, path-style addressing
// (http://endpoint/bucket/key), XML answers parsed with pugixml. Any S3-compatible server: AWS, MinIO, Ceph RGW,
// OpenStack Swift's s3api.
#include <memory>

#include "storage/s3/object_store.h"

namespace cinerec {

struct S3Config;

class S3ObjectStore final : public ObjectStore {
 public:
  explicit S3ObjectStore(const S3Config& config);
  ~S3ObjectStore() override;
  S3ObjectStore(const S3ObjectStore&) = delete;
  S3ObjectStore& operator=(const S3ObjectStore&) = delete;

  void CreateBucket() override;
  void Put(const std::string& key, std::string_view data, const std::string& content_type) override;
  void PutFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<std::string> Get(const std::string& key) override;
  bool GetToFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<ObjectInfo> Head(const std::string& key) override;
  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Delete(const std::string& key) override;
  void Ping() override;  // HEAD on the bucket

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cinerec
