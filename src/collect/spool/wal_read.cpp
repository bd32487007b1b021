// Wal::Read: records come from the segment files (the page cache), never from memory, so a backlog of
// gigabytes costs no memory. A Read finds its first record by where a recent Read stopped (hints_, one per
// reading consumer in practice) or else by the segment's sparse index, so it never rescans a segment.
#include <algorithm>

#include "collect/spool/wal.h"

namespace cinerec::collect {
namespace {

constexpr std::size_t kMaxHints = 16;  // positions remembered: well above the number of consumers
constexpr std::size_t kMinReadBuffer = 64u << 10;
constexpr std::size_t kMaxReadBuffer = 4u << 20;
// Longer waits are cut to this: steady_clock::now() + milliseconds::max() would overflow.
constexpr std::chrono::hours kMaxWait{24 * 365};

}  // namespace

std::vector<WalRecord> Wal::Read(std::uint64_t after_seq, std::size_t max_records, std::size_t max_bytes,
                                 std::chrono::milliseconds wait) {
  std::vector<WalRecord> records;
  if (max_records == 0) return records;
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now()
                        + std::clamp<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0), kMaxWait);
  readable_.wait_until(lock, deadline, [&] { return durable_seq_ > after_seq || closed_; });
  if (durable_seq_ <= after_seq) return records;
  Position at = LocateLocked(after_seq + 1);
  lock.unlock();

  const std::size_t buffer_bytes =
      std::clamp(std::min(max_bytes, kMaxReadBuffer) / 4 * 5, kMinReadBuffer, kMaxReadBuffer);
  std::size_t bytes = 0;
  bool full = false;
  while (!full) {
    const auto path = SegmentPath(at.segment);
    auto file = read_files_.Get(at.segment, path);
    wal::SegmentReader reader(file->get(), path, at.offset, at.end, buffer_bytes);
    for (;;) {
      const auto status = reader.Next();
      if (status == wal::SegmentReader::Status::kEnd) break;
      if (status != wal::SegmentReader::Status::kRecord || reader.seq() > at.seq) {
        throw std::runtime_error(
            fmt::format("spool segment {} is damaged at offset {} (found while reading seq {}); stop the "
                        "service: at start-up it says how to repair the spool",
                        path.string(), reader.record_offset(), at.seq));
      }
      if (reader.seq() < at.seq) {  // started from an indexed record before the one wanted
        at.offset = reader.offset();
        continue;
      }
      if (records.size() >= max_records
          || (!records.empty() && bytes + reader.payload().size() > max_bytes)) {
        full = true;
        break;
      }
      records.push_back({reader.seq(), std::string(reader.payload())});
      bytes += reader.payload().size();
      at = {at.seq + 1, at.segment, reader.offset(), at.end};
    }
    if (full) break;
    lock.lock();
    if (records.size() >= max_records) break;
    // The end of what was durable when this segment was looked up: it may have grown since.
    auto current = segments_.find(at.segment);
    if (current != segments_.end() && current->second.bytes > at.end) {
      at.end = current->second.bytes;
      lock.unlock();
      continue;
    }
    auto next = segments_.upper_bound(at.segment);
    if (next == segments_.end() || next->second.bytes == 0) break;
    if (next->first != at.seq) {
      throw std::logic_error(fmt::format("spool: segment {} follows a segment that ends before seq {}",
                                         wal::SegmentFileName(next->first), at.seq));
    }
    at = {next->first, next->first, 0, next->second.bytes};
    lock.unlock();
  }
  if (!lock.owns_lock()) lock.lock();
  RememberLocked(after_seq + 1, at);
  return records;
}

Wal::Position Wal::LocateLocked(std::uint64_t seq) {
  auto it = segments_.upper_bound(seq);
  if (it == segments_.begin()) {
    // Before the oldest segment: those records were delivered by every consumer and deleted.
    return {it->first, it->first, 0, it->second.bytes};
  }
  --it;
  const wal::Segment& segment = it->second;
  wal::IndexEntry best = segment.Nearest(seq);
  for (Hint& hint : hints_) {
    if (hint.segment == segment.first_seq && hint.seq <= seq && hint.seq > best.seq) {
      best = {hint.seq, hint.offset};
      hint.last_used = ++hint_clock_;
    }
  }
  return {seq, segment.first_seq, best.offset, segment.bytes};
}

void Wal::RememberLocked(std::uint64_t from_seq, Position to) {
  // Replace the hint this Read started from (its reader has moved on), else the least recently used one.
  auto it =
      std::find_if(hints_.begin(), hints_.end(), [&](const Hint& hint) { return hint.seq == from_seq; });
  if (it == hints_.end()) {
    if (hints_.size() < kMaxHints) {
      it = hints_.emplace(hints_.end());
    } else {
      it = std::min_element(hints_.begin(), hints_.end(),
                            [](const Hint& a, const Hint& b) { return a.last_used < b.last_used; });
    }
  }
  *it = {to.seq, to.segment, to.offset, ++hint_clock_};
}

}  // namespace cinerec::collect
