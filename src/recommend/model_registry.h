#pragma once
// ModelRegistry: the model versions the service serves — LATEST plus every version an experiment pins —
// loaded from the model store (S3) with a verified copy on local disk, polled and swapped without stopping
// requests.
//
//  - Start-up (LoadInitial): LATEST and the pinned versions from S3; when S3 cannot answer, from the disk
//    copy (a second ModelStore over LocalObjectStore, same layout and checksums), so a restart with S3 down
//    serves the last model. Never throws: what cannot be loaded is simply missing (the service then falls
//    back to trending) until a poll finds it.
//  - Polling (Start): every `poll_period` a background thread reads models/LATEST; when it moved, the new
//    version is downloaded, verified (the store's checksums, the model's own checks, LoadServingModel's
//    sanity checks) and swapped in atomically (a shared_ptr: requests that hold the old model finish on it,
//    and it is freed with the last of them). A version that fails is refused, logged and remembered, and
//    the current model stays. S3 failures keep the loaded models.
//  - Get is a mutex-protected shared_ptr copy: nanoseconds, safe from any thread.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "recommend/serving_model.h"

namespace cinerec {
class ObjectStore;
}

namespace cinerec::recommend {

class ModelRegistry {
 public:
  using Loader = std::function<std::shared_ptr<const ServingModel>(const modelstore::ModelBundle&)>;
  struct Options {
    std::chrono::milliseconds poll_period{60000};
    std::filesystem::path cache_dir;  // empty = no disk copy
    std::vector<std::string> pinned;  // versions kept loaded for experiments
    std::size_t cache_keep = 3;       // versions kept on disk (besides LATEST and the one before it)
    Loader loader;                    // empty = LoadServingModel
  };
  struct Stats {
    std::uint64_t loads = 0;          // versions loaded (from either source)
    std::uint64_t refused = 0;        // versions refused by a check
    std::uint64_t poll_failures = 0;  // polls S3 could not answer
    std::uint64_t disk_loads = 0;     // versions loaded from the disk copy
  };

  // REQUIRES: `remote` outlives this and is thread-safe. Throws StoreError("disk") when cache_dir cannot be
  // created.
  ModelRegistry(ObjectStore& remote, Options options);
  ~ModelRegistry();  // stops the poller
  ModelRegistry(const ModelRegistry&) = delete;
  ModelRegistry& operator=(const ModelRegistry&) = delete;

  void LoadInitial();
  void Start();  // the poller; call once, after LoadInitial
  // One poll now (tests, and the poller): true when a model was swapped in or added.
  bool PollOnce();

  // "LATEST" or a version; null when it is not loaded.
  std::shared_ptr<const ServingModel> Get(const std::string& model) const;
  std::string latest_version() const;
  Stats stats() const;

 private:
  struct Stores;
  // Loads `version` (S3 first unless `disk_only`, else the disk copy); null when it could not be loaded
  // (logged, counted). `publish` also moves the disk copy's LATEST.
  std::shared_ptr<const ServingModel> Load(const std::string& version, bool publish, bool allow_disk);
  void Run();

  Options options_;
  std::unique_ptr<Stores> stores_;
  mutable std::mutex mutex_;
  std::shared_ptr<const ServingModel> latest_;                         // GUARDED_BY(mutex_)
  std::map<std::string, std::shared_ptr<const ServingModel>> pinned_;  // GUARDED_BY(mutex_)
  std::set<std::string> refused_;                                      // GUARDED_BY(mutex_)
  Stats stats_;                                                        // GUARDED_BY(mutex_)
  bool stopping_ = false;                                              // GUARDED_BY(mutex_)
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace cinerec::recommend
