// Wal::Append: group commit. Every appender queues its record in pending_; whichever appender finds no
// writer at work becomes the writer and writes all of pending_ with one pwrite and one fdatasync, while the
// records of later callers gather for the next group. So one sync covers all records written while the
// previous sync ran, and throughput grows with the number of concurrent appenders.
#include <fcntl.h>
#include <spdlog/spdlog.h>

#include "collect/spool/wal.h"

namespace cinerec::collect {
namespace {

// A writer keeps the buffers of its group for the next one, unless a burst made them larger than this.
constexpr std::size_t kMaxRetainedGroupBytes = 8u << 20;

}  // namespace

struct Wal::Waiter {
  std::uint64_t seq = 0;
  bool done = false;       // GUARDED_BY(mutex_)
  std::error_code error;   // GUARDED_BY(mutex_): set when the record's group failed
  std::string error_what;  // GUARDED_BY(mutex_)
};

std::uint64_t Wal::Append(std::string_view record) {
  if (record.size() > wal::kMaxRecordBytes) {
    throw std::invalid_argument(fmt::format("spool: a record of {} bytes is over the limit of {}",
                                            record.size(), wal::kMaxRecordBytes));
  }
  wal::Crc32 crc;  // before the lock: the part of the work that grows with the record
  crc.Update(record);
  Waiter self;
  std::unique_lock lock(mutex_);
  if (broken_) {
    throw std::system_error(
        broken_,
        fmt::format("spool {} is unusable after an I/O error; restart the service", options_.dir.string()));
  }
  const std::uint64_t held = bytes_ + writing_bytes_ + pending_.bytes.size();
  if (held >= options_.max_bytes) {
    throw WalFull(fmt::format("spool {} is full: {} bytes held, capacity {}", options_.dir.string(), held,
                              options_.max_bytes));
  }
  self.seq = next_seq_++;
  if (pending_.waiters.empty()) pending_.first_seq = self.seq;
  const std::size_t at = pending_.bytes.size();
  pending_.bytes.resize(at + wal::kHeaderBytes);
  wal::EncodeHeader(self.seq, static_cast<std::uint32_t>(record.size()), crc, pending_.bytes.data() + at);
  pending_.bytes.append(record);
  pending_.waiters.push_back(&self);
  while (!self.done) {
    if (!writing_)
      WriteGroup(lock);  // the group holds this record: pending_ always does when no writer is at work
    else
      group_done_.wait(lock);
  }
  if (self.error) throw std::system_error(self.error, self.error_what);
  return self.seq;
}

void Wal::WriteGroup(std::unique_lock<std::mutex>& lock) {
  writing_ = true;
  Group group = std::move(pending_);
  pending_ = std::move(spare_);
  spare_ = Group{};
  writing_bytes_ = group.bytes.size();
  const std::uint64_t last_seq = group.first_seq + group.waiters.size() - 1;
  lock.unlock();

  std::optional<std::system_error> failure;
  try {
    if (write_offset_ >= options_.segment_bytes) RollSegment(group.first_seq);
    wal::WriteAt(write_fd_.get(), group.bytes, write_offset_, write_path_);
    if (options_.sync) wal::SyncData(write_fd_.get(), write_path_);
  } catch (const std::system_error& e) {
    failure = e;
  } catch (const std::exception& e) {  // bad_alloc: the group fails the same way, nothing is left hanging
    failure = std::system_error(std::make_error_code(std::errc::io_error), e.what());
  }
  bool truncated = true;
  if (failure) {
    // Cut off whatever part of the group reached the file, so the next group starts on a record boundary
    // and a restart does not find records that were refused.
    try {
      wal::Truncate(write_fd_.get(), write_offset_, write_path_);
    } catch (const std::system_error& e) {
      spdlog::error("spool {}: {}; no more appends until a restart", options_.dir.string(), e.what());
      truncated = false;
    }
  }

  lock.lock();
  writing_ = false;
  writing_bytes_ = 0;
  if (failure) {
    spdlog::error("spool {}: append of seqs {} to {} failed: {}", options_.dir.string(), group.first_seq,
                  last_seq, failure->what());
    if (!truncated) broken_ = failure->code();
    FailGroupLocked(group, *failure);
  } else {
    const std::uint64_t size = group.bytes.size();
    wal::Segment& segment = segments_.rbegin()->second;
    segment.MaybeIndex(group.first_seq, write_offset_);
    segment.bytes += size;
    segment.last_seq = last_seq;
    write_offset_ += size;
    bytes_ += size;
    durable_seq_ = last_seq;
    appended_records_ += group.waiters.size();
    appended_bytes_ += size - group.waiters.size() * wal::kHeaderBytes;
    if (options_.sync) ++syncs_;
    for (Waiter* waiter : group.waiters)
      waiter->done = true;
  }
  if (group.bytes.capacity() <= kMaxRetainedGroupBytes) {
    group.bytes.clear();
    group.waiters.clear();
    spare_ = std::move(group);
  }
  group_done_.notify_all();
  if (!failure) readable_.notify_all();
}

void Wal::RollSegment(std::uint64_t first_seq) {
  const auto path = SegmentPath(first_seq);
  wal::FileDescriptor fd = wal::OpenFile(path, O_WRONLY | O_CREAT | O_EXCL);
  try {
    wal::SyncDirectory(dir_fd_.get(), options_.dir);  // else a crash could lose the file with its records
  } catch (const std::system_error&) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw;
  }
  write_fd_ = std::move(fd);
  write_path_ = path;
  write_offset_ = 0;
  std::lock_guard lock(mutex_);
  segments_.emplace(first_seq, wal::Segment{first_seq, first_seq - 1, 0, {}});
}

void Wal::FailGroupLocked(Group& group, const std::system_error& error) {
  // The seqs of pending_ follow the failed group's: give them all back, so seqs stay contiguous on disk.
  // None was visible to readers (durable_seq_ is below them), and their callers are told of the failure.
  for (Group* failed : {&group, &pending_}) {
    for (Waiter* waiter : failed->waiters) {
      waiter->done = true;
      waiter->error = error.code();
      waiter->error_what = fmt::format("spool append failed (nothing acknowledged): {}", error.what());
    }
  }
  next_seq_ = group.first_seq;
  pending_.bytes.clear();
  pending_.waiters.clear();
}

}  // namespace cinerec::collect
