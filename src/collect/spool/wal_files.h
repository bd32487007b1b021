#pragma once
// The spool's file access: POSIX calls behind small helpers that retry interrupted calls and throw
// std::system_error naming the file, plus the cache of segment files opened for reading.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace cinerec::collect::wal {

// Owns a file descriptor; closes it on destruction.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// open(2); throws std::system_error "open <path>: <reason>".
FileDescriptor OpenFile(const std::filesystem::path& path, int flags, unsigned mode = 0644);
// Writes all of `data` at `offset`.
void WriteAt(int fd, std::string_view data, std::uint64_t offset, const std::filesystem::path& path);
// Reads up to `size` bytes at `offset`; fewer only at the end of the file.
std::size_t ReadAt(int fd, char* out, std::size_t size, std::uint64_t offset,
                   const std::filesystem::path& path);
void SyncData(int fd, const std::filesystem::path& path);  // fdatasync
void SyncDirectory(int dir_fd, const std::filesystem::path& dir);
void Truncate(int fd, std::uint64_t size, const std::filesystem::path& path);
std::uint64_t FileSize(int fd, const std::filesystem::path& path);

// Cursor files: "<consumer>.cursor" holding the committed seq in decimal and a newline.
// nullopt when the file does not exist; throws std::runtime_error when it cannot be read or parsed.
std::optional<std::uint64_t> LoadCursor(const std::filesystem::path& dir, std::string_view consumer);
// Replaces the cursor file crash-safely: temporary file, fdatasync, rename, fsync of the directory.
void StoreCursor(int dir_fd, const std::filesystem::path& dir, std::string_view consumer, std::uint64_t seq);
inline constexpr std::string_view kCursorSuffix = ".cursor";
inline constexpr std::string_view kTemporarySuffix = ".tmp";

// Segment files opened read-only, shared by readers (pread needs no lock), at most `capacity` kept open:
// the least recently used is closed first. A file being read when it is evicted or forgotten stays open
// until its reader lets go. Thread-safe.
class SegmentFiles {
 public:
  explicit SegmentFiles(std::size_t capacity) : capacity_(capacity) {}
  std::shared_ptr<const FileDescriptor> Get(std::uint64_t first_seq, const std::filesystem::path& path);
  void Forget(std::uint64_t first_seq);

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const FileDescriptor>>> open_;  // GUARDED_BY(mutex_)
};

}  // namespace cinerec::collect::wal
