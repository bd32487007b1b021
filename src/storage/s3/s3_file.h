#pragma once
// Small POSIX file helpers for streaming uploads and downloads: a file descriptor owner, and a temporary file
// beside the destination that replaces it atomically (rename) only when the download completed, so a reader
// never sees half an object. Failures throw std::filesystem::filesystem_error naming the path.
// Not thread-safe per object; each call uses its own instances.
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace cinerec::s3 {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

struct OpenFile {
  UniqueFd fd;
  std::uint64_t size = 0;
};

// Opens a regular file for reading and reports its size.
OpenFile OpenForReading(const std::filesystem::path& path);

// Writes all of `data` to `fd` (retrying short writes); `path` names the file in the error.
void WriteAll(int fd, std::string_view data, const std::filesystem::path& path);

// A temporary file in the destination's folder ("<name>.tmp-XXXXXX"): same file system, so the final rename
// is atomic. Removed by the destructor unless Commit() ran. Created with mode 0600 (mkostemp), which the
// destination keeps.
class TempFileBeside {
 public:
  explicit TempFileBeside(const std::filesystem::path& destination);
  ~TempFileBeside();
  TempFileBeside(const TempFileBeside&) = delete;
  TempFileBeside& operator=(const TempFileBeside&) = delete;

  int fd() const { return fd_.get(); }
  // fsync, close and rename over the destination.
  void Commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path temp_path_;
  UniqueFd fd_;
  bool committed_ = false;
};

}  // namespace cinerec::s3
