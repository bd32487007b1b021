#include "storage/s3/s3_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

namespace cinerec::s3 {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what, const std::filesystem::path& path) {
  throw std::filesystem::filesystem_error(what, path, std::error_code(errno, std::generic_category()));
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.Release();
  }
  return *this;
}

OpenFile OpenForReading(const std::filesystem::path& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) ThrowErrno("cannot open the file to upload", path);
  struct stat info {};
  if (fstat(fd.get(), &info) != 0) ThrowErrno("cannot stat the file to upload", path);
  if (!S_ISREG(info.st_mode)) {
    throw std::filesystem::filesystem_error("not a regular file", path,
                                            std::make_error_code(std::errc::invalid_argument));
  }
  return {std::move(fd), static_cast<std::uint64_t>(info.st_size)};
}

void WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ThrowErrno("cannot write", path);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

TempFileBeside::TempFileBeside(const std::filesystem::path& destination) : destination_(destination) {
  std::string pattern = destination.string() + ".tmp-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) ThrowErrno("cannot create a temporary file beside", destination);
  fd_ = UniqueFd(fd);
  temp_path_ = name.data();
}

TempFileBeside::~TempFileBeside() {
  if (!committed_) {
    fd_ = UniqueFd();
    std::remove(temp_path_.c_str());
  }
}

void TempFileBeside::Commit() {
  // fsync first: after a crash the destination is either the old file or the complete new one.
  if (fsync(fd_.get()) != 0) ThrowErrno("cannot flush the downloaded file", temp_path_);
  if (close(fd_.Release()) != 0) ThrowErrno("cannot close the downloaded file", temp_path_);
  if (std::rename(temp_path_.c_str(), destination_.c_str()) != 0) {
    ThrowErrno("cannot rename the downloaded file to its destination", destination_);
  }
  committed_ = true;
}

}  // namespace cinerec::s3
