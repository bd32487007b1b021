#include "collect/spool/wal_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

namespace cinerec::collect::wal {
namespace {

[[noreturn]] void ThrowErrno(std::string_view what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), fmt::format("{} {}", what, path.string()));
}

std::filesystem::path CursorPath(const std::filesystem::path& dir, std::string_view consumer) {
  return dir / (std::string(consumer) + std::string(kCursorSuffix));
}

}  // namespace

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileDescriptor OpenFile(const std::filesystem::path& path, int flags, unsigned mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) ThrowErrno("open", path);
  return FileDescriptor(fd);
}

void WriteAt(int fd, std::string_view data, std::uint64_t offset, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

std::size_t ReadAt(int fd, char* out, std::size_t size, std::uint64_t offset,
                   const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowErrno("read", path);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void SyncData(int fd, const std::filesystem::path& path) {
  if (::fdatasync(fd) != 0) ThrowErrno("fdatasync", path);
}

void SyncDirectory(int dir_fd, const std::filesystem::path& dir) {
  if (::fsync(dir_fd) != 0) ThrowErrno("fsync directory", dir);
}

void Truncate(int fd, std::uint64_t size, const std::filesystem::path& path) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) ThrowErrno("truncate", path);
}

std::uint64_t FileSize(int fd, const std::filesystem::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) ThrowErrno("stat", path);
  return static_cast<std::uint64_t>(st.st_size);
}

std::optional<std::uint64_t> LoadCursor(const std::filesystem::path& dir, std::string_view consumer) {
  const auto path = CursorPath(dir, consumer);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return std::nullopt;
    throw std::runtime_error(
        fmt::format("spool cursor {} cannot be read; give the service read access to it", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  std::uint64_t seq = 0;
  const char* end = content.data() + content.size();
  auto [ptr, ec] = std::from_chars(content.data(), end, seq);
  if (ec != std::errc() || ptr + 1 != end || *ptr != '\n') {
    throw std::runtime_error(fmt::format(
        "spool cursor {} is damaged (expected a seq and a newline); write the consumer's last delivered seq "
        "into it, or delete it to restart that consumer at the end of the spool",
        path.string()));
  }
  return seq;
}

void StoreCursor(int dir_fd, const std::filesystem::path& dir, std::string_view consumer, std::uint64_t seq) {
  const auto path = CursorPath(dir, consumer);
  auto temporary = path;
  temporary += std::string(kTemporarySuffix);
  {
    FileDescriptor fd = OpenFile(temporary, O_WRONLY | O_CREAT | O_TRUNC);
    WriteAt(fd.get(), fmt::format("{}\n", seq), 0, temporary);
    SyncData(fd.get(), temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) ThrowErrno("rename to", path);
  SyncDirectory(dir_fd, dir);
}

std::shared_ptr<const FileDescriptor> SegmentFiles::Get(std::uint64_t first_seq,
                                                        const std::filesystem::path& path) {
  std::lock_guard lock(mutex_);
  auto it =
      std::find_if(open_.begin(), open_.end(), [&](const auto& entry) { return entry.first == first_seq; });
  if (it != open_.end()) {
    // Most recently used last: a rotate keeps the vector small and ordered without reallocating.
    std::rotate(it, it + 1, open_.end());
    return open_.back().second;
  }
  auto fd = std::make_shared<const FileDescriptor>(OpenFile(path, O_RDONLY));
  if (open_.size() >= capacity_) open_.erase(open_.begin());
  open_.emplace_back(first_seq, fd);
  return fd;
}

void SegmentFiles::Forget(std::uint64_t first_seq) {
  std::lock_guard lock(mutex_);
  std::erase_if(open_, [&](const auto& entry) { return entry.first == first_seq; });
}

}  // namespace cinerec::collect::wal
