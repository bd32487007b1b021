#include "storage/s3/in_memory_object_store.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "common/errors.h"
#include "storage/s3/s3_digest.h"
#include "storage/s3/s3_file.h"

namespace cinerec {
namespace {

// "2026-11-24T10:43:45.123Z", the form S3 listings use.
std::string NowIso8601() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
  return std::string(buffer, n) + fraction;
}

void ValidateFakeKey(const std::string& key) {
  if (key.empty()) throw std::invalid_argument("s3: an object key must not be empty");
  if (key.size() > 1024) throw std::invalid_argument("s3: an object key is limited to 1024 bytes");
}

std::string ReadWholeFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::filesystem::filesystem_error("cannot open the file to upload", file,
                                            std::make_error_code(std::errc::no_such_file_or_directory));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

void InMemoryObjectStore::CheckAvailable(std::string_view operation) const {
  if (!available_) throw StoreError("s3", std::string(operation) + ": in-memory store set unavailable");
}

void InMemoryObjectStore::CreateBucket() {
  CheckAvailable("CreateBucket");
}

void InMemoryObjectStore::Put(const std::string& key, std::string_view data,
                              const std::string& content_type) {
  ValidateFakeKey(key);
  CheckAvailable("PUT " + key);
  Object object{std::string(data), content_type,
                ObjectInfo{key, data.size(), s3::Md5Hex(data), NowIso8601()}};
  std::lock_guard lock(mutex_);
  objects_[key] = std::move(object);
}

void InMemoryObjectStore::PutFile(const std::string& key, const std::filesystem::path& file) {
  ValidateFakeKey(key);
  CheckAvailable("PUT " + key);
  Put(key, ReadWholeFile(file));  // a fake may hold the file in memory
}

std::optional<std::string> InMemoryObjectStore::Get(const std::string& key) {
  ValidateFakeKey(key);
  CheckAvailable("GET " + key);
  std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.data;
}

bool InMemoryObjectStore::GetToFile(const std::string& key, const std::filesystem::path& file) {
  const std::optional<std::string> data = Get(key);
  if (!data) return false;
  s3::TempFileBeside temp(file);
  s3::WriteAll(temp.fd(), *data, file);
  temp.Commit();
  return true;
}

std::optional<ObjectInfo> InMemoryObjectStore::Head(const std::string& key) {
  ValidateFakeKey(key);
  CheckAvailable("HEAD " + key);
  std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.info;
}

std::vector<ObjectInfo> InMemoryObjectStore::List(const std::string& prefix) {
  CheckAvailable("ListObjectsV2 " + prefix);
  std::vector<ObjectInfo> result;
  std::lock_guard lock(mutex_);
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && it->first.starts_with(prefix); ++it) {
    result.push_back(it->second.info);
  }
  return result;
}

void InMemoryObjectStore::Delete(const std::string& key) {
  ValidateFakeKey(key);
  CheckAvailable("DELETE " + key);
  std::lock_guard lock(mutex_);
  objects_.erase(key);
}

void InMemoryObjectStore::Ping() {
  CheckAvailable("Ping");
}

}  // namespace cinerec
