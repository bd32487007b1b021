#pragma once
// LocalObjectStore: an ObjectStore over a local directory (key = relative path). The recommendation service
// keeps its disk copy of the models in one, through a second ModelStore, so that the copy has the same
// layout, manifest and checksums as S3 and a restart with S3 down loads (and verifies) the last model.
// Writes go to a temporary file that is renamed, so a crash never leaves a half-written object.
#include <filesystem>

#include "storage/s3/object_store.h"

namespace cinerec::recommend {

class LocalObjectStore final : public ObjectStore {
 public:
  // Creates `root` when missing. Throws StoreError("disk", ...) when it cannot.
  explicit LocalObjectStore(std::filesystem::path root);

  std::string_view StoreName() const override { return "disk"; }
  void Ping() override;
  void CreateBucket() override {}
  void Put(const std::string& key, std::string_view data,
           const std::string& content_type = "application/octet-stream") override;
  void PutFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<std::string> Get(const std::string& key) override;
  bool GetToFile(const std::string& key, const std::filesystem::path& file) override;
  std::optional<ObjectInfo> Head(const std::string& key) override;
  std::vector<ObjectInfo> List(const std::string& prefix) override;
  void Delete(const std::string& key) override;

 private:
  std::filesystem::path PathOf(const std::string& key) const;  // refuses keys leaving the root

  std::filesystem::path root_;
};

}  // namespace cinerec::recommend
