#pragma once
// Helpers shared by the spool's unit tests: a temporary directory per test, and direct file edits that
// simulate crashes and damage.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "collect/spool/wal.h"

namespace cinerec::collect::testing_support {

// A directory unique to this test (and process), removed with everything in it at the end.
class TempSpoolDir {
 public:
  TempSpoolDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir())
            / ("cinerec_wal_" + std::string(info->test_suite_name()) + "_" + info->name() + "_"
               + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}()));
  }
  ~TempSpoolDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempSpoolDir(const TempSpoolDir&) = delete;
  TempSpoolDir& operator=(const TempSpoolDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline WalOptions SmallOptions(const std::filesystem::path& dir, std::uint64_t segment_bytes = 1u << 20,
                               std::uint64_t max_bytes = 1u << 30) {
  WalOptions options;
  options.dir = dir;
  options.segment_bytes = segment_bytes;
  options.max_bytes = max_bytes;
  return options;
}

// The segment files of `dir`, oldest first.
inline std::vector<std::filesystem::path> SegmentFiles(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".wal") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

inline void FlipByte(const std::filesystem::path& file, std::uint64_t offset) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  stream.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.write(&c, 1);
}

// Every record after `after_seq` that is there now, read in batches of `batch`.
inline std::vector<WalRecord> ReadAll(Wal& wal, std::uint64_t after_seq = 0, std::size_t batch = 1000) {
  std::vector<WalRecord> all;
  for (;;) {
    auto records = wal.Read(after_seq, batch, 1u << 20, std::chrono::milliseconds(0));
    if (records.empty()) return all;
    after_seq = records.back().seq;
    for (auto& record : records)
      all.push_back(std::move(record));
  }
}

inline std::vector<std::string> Payloads(const std::vector<WalRecord>& records) {
  std::vector<std::string> payloads;
  for (const auto& record : records)
    payloads.push_back(record.data);
  return payloads;
}

}  // namespace cinerec::collect::testing_support
