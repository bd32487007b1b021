#pragma once
// The ObjectStore fake for unit tests: objects in a map, with S3's observable semantics — listings sorted by
// key bytes and filtered by prefix, ETag = MD5 hex of the content (as S3 reports for single-part uploads),
// Head sizes, deleting a missing key succeeds, GetToFile writes a temporary file and renames it.
//
// SetAvailable(false) simulates an outage: every call then throws StoreError("s3", ...), as the real adapter
// does when the server is down. Empty keys throw std::invalid_argument, missing local files
// std::filesystem::filesystem_error, like S3ObjectStore.
//
// Thread-safe: one mutex guards the map.
#include <atomic>
#include <map>
#include <mutex>

#include "storage/s3/object_store.h"

namespace cinerec {

class InMemoryObjectStore final : public ObjectStore {
 public:
  InMemoryObjectStore() = default;
  InMemoryObjectStore(const InMemoryObjectStore&) = delete;
  InMemoryObjectStore& operator=(const InMemoryObjectStore&) = delete;

  void SetAvailable(bool available) { available_ = available; }

  void CreateBucket() override;
  void Put(const std::string& key, std::string_view data,
           const std::string& content_type = "application/octet-stream") override;
  void PutFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<std::string> Get(const std::string& key) override;
  bool GetToFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<ObjectInfo> Head(const std::string& key) override;
  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Delete(const std::string& key) override;
  void Ping() override;

 private:
  struct Object {
    std::string data;
    std::string content_type;
    ObjectInfo info;
  };

  void CheckAvailable(std::string_view operation) const;

  std::atomic<bool> available_{true};
  mutable std::mutex mutex_;
  std::map<std::string, Object> objects_;  // guarded by mutex_; std::string order = S3's byte order
};

}  // namespace cinerec
