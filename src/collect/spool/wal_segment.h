#pragma once
// A segment of the spool in memory (its extent and a sparse index, never its records) and the sequential
// reader of the records in a segment file.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "collect/spool/wal_format.h"

namespace cinerec::collect::wal {

// One sparse index entry per this many bytes of a segment at most: a Read that cannot resume where a recent
// one stopped scans at most about this much to find its first record.
inline constexpr std::uint64_t kIndexInterval = 1u << 20;

struct IndexEntry {
  std::uint64_t seq = 0, offset = 0;  // the record `seq` starts at `offset`
};

struct Segment {
  std::uint64_t first_seq = 0;
  std::uint64_t last_seq = 0;  // first_seq - 1 while empty
  std::uint64_t bytes = 0;     // bytes of durable records: what readers may read
  std::vector<IndexEntry> index;

  // Adds an entry if the last one is at least kIndexInterval behind `offset`.
  void MaybeIndex(std::uint64_t seq, std::uint64_t offset);
  // The indexed record nearest before `seq` (the segment's start if none).
  IndexEntry Nearest(std::uint64_t seq) const;
};

// Reads records one after the other from `offset` (a record boundary) to `end` of one file, through a
// buffer of about `buffer_bytes` (larger only for a record that does not fit). Checks every header and CRC.
class SegmentReader {
 public:
  enum class Status {
    kRecord,   // seq() and payload() describe the record
    kEnd,      // exactly at `end`
    kTorn,     // a record starts but `end` comes first
    kCorrupt,  // an invalid header or a CRC mismatch
  };
  SegmentReader(int fd, std::filesystem::path path, std::uint64_t offset, std::uint64_t end,
                std::size_t buffer_bytes);
  Status Next();
  std::uint64_t seq() const { return seq_; }
  std::string_view payload() const { return payload_; }           // valid until the next call to Next
  std::uint64_t record_offset() const { return record_offset_; }  // where the record last looked at starts
  std::uint64_t offset() const { return offset_; }  // after the last record returned: the next one's start

 private:
  // Makes [offset_, offset_ + size) available in buffer_; false if `end_` comes first.
  bool Fill(std::size_t size);

  const int fd_;
  const std::filesystem::path path_;
  const std::uint64_t end_;
  const std::size_t buffer_bytes_;
  std::string buffer_;
  std::uint64_t buffer_offset_ = 0;  // file offset of buffer_[0]
  std::uint64_t offset_;
  std::uint64_t record_offset_;
  std::uint64_t seq_ = 0;
  std::string_view payload_;
};

}  // namespace cinerec::collect::wal
