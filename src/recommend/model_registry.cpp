#include "recommend/model_registry.h"

#include <spdlog/spdlog.h>

#include "common/errors.h"
#include "modelstore/errors.h"
#include "modelstore/model_store.h"
#include "recommend/local_object_store.h"

namespace cinerec::recommend {

struct ModelRegistry::Stores {
  Stores(ObjectStore& objects, const std::filesystem::path& cache_dir) : remote(objects) {
    if (cache_dir.empty()) return;
    disk_objects = std::make_unique<LocalObjectStore>(cache_dir);
    disk = std::make_unique<modelstore::ModelStore>(*disk_objects);
  }
  modelstore::ModelStore remote;
  std::unique_ptr<LocalObjectStore> disk_objects;
  std::unique_ptr<modelstore::ModelStore> disk;  // null without a cache directory
};

ModelRegistry::ModelRegistry(ObjectStore& remote, Options options)
    : options_(std::move(options)), stores_(std::make_unique<Stores>(remote, options_.cache_dir)) {
  if (!options_.loader) options_.loader = LoadServingModel;
}

ModelRegistry::~ModelRegistry() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const ServingModel> ModelRegistry::Load(const std::string& version, bool publish,
                                                        bool allow_disk) {
  {
    std::lock_guard lock(mutex_);
    if (refused_.contains(version)) return nullptr;
  }
  const auto started = std::chrono::steady_clock::now();
  bool from_disk = false;
  try {
    std::optional<modelstore::ModelBundle> bundle;
    try {
      bundle = stores_->remote.Load(version);
    } catch (const StoreError& e) {
      if (!allow_disk || !stores_->disk) throw;
      spdlog::warn("recommend: S3 cannot give model {} ({}); trying the disk copy", version, e.what());
      bundle = stores_->disk->Load(version);
      from_disk = true;
    }
    auto model = options_.loader(*bundle);
    if (stores_->disk && !from_disk) {
      try {  // the disk copy is a convenience: failing to write it never refuses the model
        bool present = true;
        try {
          stores_->disk->Show(version);
        } catch (const modelstore::ModelStoreError&) {
          present = false;
        }
        if (!present) stores_->disk->Upload(*bundle);
        if (publish) {
          stores_->disk->Publish(version);
          stores_->disk->Retain(options_.cache_keep);
        }
      } catch (const std::exception& e) {
        spdlog::warn("recommend: could not keep model {} on disk: {}", version, e.what());
      }
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    spdlog::info("recommend: model {} loaded from {} in {} ms ({} items, {} MB)", version,
                 from_disk ? "the disk copy" : "S3", ms.count(), model->items(), model->MemoryBytes() >> 20);
    std::lock_guard lock(mutex_);
    ++stats_.loads;
    if (from_disk) ++stats_.disk_loads;
    return model;
  } catch (const StoreError& e) {
    spdlog::warn("recommend: model {} not loaded: {}", version, e.what());
    return nullptr;
  } catch (const std::exception& e) {  // ModelStoreError, or a model check: this version is unusable
    spdlog::error("recommend: model {} refused, keeping the current one: {}", version, e.what());
    std::lock_guard lock(mutex_);
    ++stats_.refused;
    refused_.insert(version);
    return nullptr;
  }
}

void ModelRegistry::LoadInitial() {
  std::optional<std::string> latest;
  try {
    latest = stores_->remote.Latest();
  } catch (const StoreError& e) {
    spdlog::warn("recommend: S3 cannot say which model is LATEST ({}); using the disk copy", e.what());
    {
      std::lock_guard lock(mutex_);
      ++stats_.poll_failures;
    }
    if (stores_->disk) {
      try {
        latest = stores_->disk->Latest();
      } catch (const std::exception& disk_error) {
        spdlog::warn("recommend: no usable disk copy of the models: {}", disk_error.what());
      }
    }
  }
  if (latest) {
    auto model = Load(*latest, true, true);
    std::lock_guard lock(mutex_);
    if (model) latest_ = std::move(model);
  } else {
    spdlog::warn("recommend: no model published yet: serving trending until one is");
  }
  for (const auto& version : options_.pinned) {
    auto model = Load(version, false, true);
    std::lock_guard lock(mutex_);
    if (model) pinned_[version] = std::move(model);
  }
}

bool ModelRegistry::PollOnce() {
  bool changed = false;
  try {
    const auto latest = stores_->remote.Latest();
    if (latest && *latest != latest_version()) {
      if (auto model = Load(*latest, true, false)) {
        std::lock_guard lock(mutex_);
        latest_ = std::move(model);
        changed = true;
      }
    }
  } catch (const StoreError& e) {
    spdlog::warn("recommend: polling models/LATEST failed ({}); keeping model {}", e.what(),
                 latest_version());
    std::lock_guard lock(mutex_);
    ++stats_.poll_failures;
  }
  for (const auto& version : options_.pinned) {
    {
      std::lock_guard lock(mutex_);
      if (pinned_.contains(version)) continue;
    }
    if (auto model = Load(version, false, false)) {
      std::lock_guard lock(mutex_);
      pinned_[version] = std::move(model);
      changed = true;
    }
  }
  return changed;
}

void ModelRegistry::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ModelRegistry::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.poll_period, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

std::shared_ptr<const ServingModel> ModelRegistry::Get(const std::string& model) const {
  std::lock_guard lock(mutex_);
  if (model == "LATEST") return latest_;
  if (const auto it = pinned_.find(model); it != pinned_.end()) return it->second;
  if (latest_ && latest_->version() == model) return latest_;
  return nullptr;
}

std::string ModelRegistry::latest_version() const {
  std::lock_guard lock(mutex_);
  return latest_ ? latest_->version() : std::string();
}

ModelRegistry::Stats ModelRegistry::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace cinerec::recommend
