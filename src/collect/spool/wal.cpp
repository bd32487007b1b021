// Opening, committing and statistics; Append is in wal_append.cpp, Read in wal_read.cpp.
#include "collect/spool/wal.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "collect/spool/wal_recovery.h"

namespace cinerec::collect {
namespace {

constexpr std::size_t kMaxOpenReadFiles = 8;
constexpr std::size_t kMaxConsumerName = 64;
constexpr std::string_view kLockFile = "LOCK";

WalOptions Validated(WalOptions options) {
  if (options.dir.empty()) throw std::invalid_argument("spool: options.dir is empty");
  if (options.segment_bytes == 0)
    throw std::invalid_argument("spool: options.segment_bytes must be positive");
  if (options.max_bytes == 0) throw std::invalid_argument("spool: options.max_bytes must be positive");
  return options;
}

void CheckConsumerName(const std::string& name) {
  const bool valid =
      !name.empty() && name.size() <= kMaxConsumerName && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
               || c == '-';
      });
  if (!valid) {
    throw std::invalid_argument(fmt::format(
        "spool: consumer name '{}' must be 1 to {} characters of [A-Za-z0-9_-]", name, kMaxConsumerName));
  }
}

// Creates the directory and takes its lock: the first place a misconfigured path shows, so the messages say
// what to do.
wal::FileDescriptor LockDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error(fmt::format(
        "spool directory {} cannot be created: {}; create it, or point the spool at a writable directory",
        dir.string(), ec.message()));
  }
  const auto lock_path = dir / kLockFile;
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("spool directory {} is not usable: cannot create {}: {}; give the service's user read "
                    "and write access "
                    "to the directory, or point the spool at another one",
                    dir.string(), lock_path.string(), std::strerror(errno)));
  }
  wal::FileDescriptor lock(fd);
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    throw std::runtime_error(fmt::format(
        "spool directory {} is already in use by another process (or another spool in this one): each "
        "process needs its own spool directory",
        dir.string()));
  }
  return lock;
}

}  // namespace

Wal::Wal(WalOptions options, std::vector<std::string> consumers)
    : options_(Validated(std::move(options))), read_files_(kMaxOpenReadFiles) {
  if (consumers.empty()) throw std::invalid_argument("spool: at least one consumer is needed");
  for (const auto& name : consumers) {
    CheckConsumerName(name);
    if (!consumers_.emplace(name, std::make_unique<Consumer>()).second)
      throw std::invalid_argument(fmt::format("spool: consumer '{}' is listed twice", name));
  }
  lock_fd_ = LockDirectory(options_.dir);
  dir_fd_ = wal::OpenFile(options_.dir, O_RDONLY | O_DIRECTORY);
  Open(consumers);
}

void Wal::Open(const std::vector<std::string>& consumers) {
  // Temporary cursor files of a crash before their rename: the cursor they were replacing is still valid.
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir)) {
    const auto name = entry.path().filename().string();
    if (name.ends_with(std::string(wal::kCursorSuffix) + std::string(wal::kTemporarySuffix)))
      std::filesystem::remove(entry.path());
  }
  std::vector<wal::Segment> recovered = wal::RecoverSegments(options_.dir);
  std::lock_guard lock(mutex_);
  for (auto& segment : recovered) {
    bytes_ += segment.bytes;
    segments_.emplace(segment.first_seq, std::move(segment));
  }
  durable_seq_ = segments_.empty() ? 0 : segments_.rbegin()->second.last_seq;
  LoadCursors(consumers);
  next_seq_ = durable_seq_ + 1;
  if (segments_.empty()) {
    const auto path = SegmentPath(next_seq_);
    wal::OpenFile(path, O_WRONLY | O_CREAT);
    segments_.emplace(next_seq_, wal::Segment{next_seq_, next_seq_ - 1, 0, {}});
  }
  const auto& last = segments_.rbegin()->second;
  write_path_ = SegmentPath(last.first_seq);
  write_fd_ = wal::OpenFile(write_path_, O_WRONLY);
  write_offset_ = last.bytes;
  wal::SyncDirectory(dir_fd_.get(), options_.dir);  // a new segment or cursor files
  RemoveFiles(DetachPassedSegmentsLocked());
  spdlog::info("spool {}: opened, {} segments, {} bytes, seqs {} to {}", options_.dir.string(),
               segments_.size(), bytes_, segments_.begin()->second.first_seq, durable_seq_);
}

// REQUIRES: mutex_ held, segments_ recovered, durable_seq_ set from them.
void Wal::LoadCursors(const std::vector<std::string>& consumers) {
  std::uint64_t highest = 0;
  std::vector<std::pair<std::string, std::optional<std::uint64_t>>> loaded;
  for (const auto& name : consumers) {
    loaded.emplace_back(name, wal::LoadCursor(options_.dir, name));
    highest = std::max(highest, loaded.back().second.value_or(0));
  }
  if (segments_.empty() && highest > durable_seq_) {
    // Every segment file is gone but the cursors remain: continue after them, so that new records are not
    // taken for delivered ones.
    durable_seq_ = highest;
  }
  const std::uint64_t oldest_kept = segments_.empty() ? durable_seq_ : segments_.begin()->first - 1;
  for (auto& [name, cursor] : loaded) {
    std::uint64_t committed = cursor.value_or(durable_seq_);
    if (committed > durable_seq_) {
      // The log lost records the consumer had delivered (a restored or copied directory): read what comes
      // next rather than skip it.
      spdlog::error(
          "spool {}: consumer {} had committed seq {} but the spool ends at {}; it resumes at the end",
          options_.dir.string(), name, committed, durable_seq_);
      committed = durable_seq_;
    } else if (committed < oldest_kept) {
      spdlog::warn(
          "spool {}: consumer {} had committed seq {} but records up to {} are no longer in the spool "
          "(deleted while it was not listed); it resumes after them",
          options_.dir.string(), name, committed, oldest_kept);
      committed = oldest_kept;
    }
    if (cursor != committed) wal::StoreCursor(dir_fd_.get(), options_.dir, name, committed);
    consumers_.find(name)->second->committed = committed;
  }
}

Wal::~Wal() {
  Close();
  if (!options_.sync && write_fd_) {
    try {
      wal::SyncData(write_fd_.get(), write_path_);
    } catch (const std::exception& e) {
      spdlog::error("spool {}: final sync failed: {}", options_.dir.string(), e.what());
    }
  }
}

void Wal::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  readable_.notify_all();
}

Wal::Consumer& Wal::FindConsumer(std::string_view name) const {
  auto it = consumers_.find(name);
  if (it == consumers_.end()) throw std::invalid_argument(fmt::format("spool: unknown consumer '{}'", name));
  return *it->second;
}

std::uint64_t Wal::committed(std::string_view consumer) const {
  const Consumer& c = FindConsumer(consumer);
  std::lock_guard lock(mutex_);
  return c.committed;
}

void Wal::Commit(std::string_view consumer, std::uint64_t seq) {
  Consumer& c = FindConsumer(consumer);
  // Held across the file write: commits of one consumer go to disk in order, and c.committed can only grow
  // under this lock, so the check below stays true until the update.
  std::lock_guard cursor_lock(c.cursor_mutex);
  {
    std::lock_guard lock(mutex_);
    if (seq <= c.committed) return;
    if (seq > durable_seq_) {
      throw std::invalid_argument(fmt::format("spool: consumer {} commits seq {} beyond the last record {}",
                                              consumer, seq, durable_seq_));
    }
  }
  wal::StoreCursor(dir_fd_.get(), options_.dir, consumer, seq);
  std::vector<std::filesystem::path> passed;
  {
    std::lock_guard lock(mutex_);
    c.committed = seq;
    passed = DetachPassedSegmentsLocked();
  }
  RemoveFiles(passed);
}

std::vector<std::filesystem::path> Wal::DetachPassedSegmentsLocked() {
  std::uint64_t slowest = durable_seq_;
  for (const auto& [name, consumer] : consumers_)
    slowest = std::min(slowest, consumer->committed);
  std::vector<std::filesystem::path> passed;
  // The last segment is never removed: it is written to, and its name keeps the next seq across restarts.
  while (segments_.size() > 1 && segments_.begin()->second.last_seq <= slowest) {
    const wal::Segment& segment = segments_.begin()->second;
    bytes_ -= segment.bytes;
    read_files_.Forget(segment.first_seq);
    passed.push_back(SegmentPath(segment.first_seq));
    segments_.erase(segments_.begin());
  }
  return passed;
}

void Wal::RemoveFiles(const std::vector<std::filesystem::path>& paths) {
  // Oldest first, so that a crash midway leaves the remaining segments contiguous.
  for (const auto& path : paths) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (ec) spdlog::error("spool: cannot delete {}: {}; delete it by hand", path.string(), ec.message());
  }
}

std::filesystem::path Wal::SegmentPath(std::uint64_t first_seq) const {
  return options_.dir / wal::SegmentFileName(first_seq);
}

Wal::Stats Wal::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats;
  stats.bytes = bytes_ + writing_bytes_;
  stats.segments = segments_.size();
  stats.last_seq = durable_seq_;
  stats.appended_records = appended_records_;
  stats.appended_bytes = appended_bytes_;
  stats.syncs = syncs_;
  for (const auto& [name, consumer] : consumers_)
    stats.lag_records[name] = durable_seq_ - consumer->committed;
  return stats;
}

}  // namespace cinerec::collect
