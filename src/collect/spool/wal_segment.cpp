#include "collect/spool/wal_segment.h"

#include <algorithm>

#include "collect/spool/wal_files.h"

namespace cinerec::collect::wal {

void Segment::MaybeIndex(std::uint64_t seq, std::uint64_t offset) {
  const std::uint64_t last = index.empty() ? 0 : index.back().offset;
  if (offset >= last + kIndexInterval) index.push_back({seq, offset});
}

IndexEntry Segment::Nearest(std::uint64_t seq) const {
  auto it = std::upper_bound(index.begin(), index.end(), seq,
                             [](std::uint64_t s, const IndexEntry& entry) { return s < entry.seq; });
  if (it == index.begin()) return {first_seq, 0};
  return *std::prev(it);
}

SegmentReader::SegmentReader(int fd, std::filesystem::path path, std::uint64_t offset, std::uint64_t end,
                             std::size_t buffer_bytes)
    : fd_(fd),
      path_(std::move(path)),
      end_(end),
      buffer_bytes_(std::max(buffer_bytes, kHeaderBytes)),
      buffer_offset_(offset),
      offset_(offset),
      record_offset_(offset) {}

SegmentReader::Status SegmentReader::Next() {
  record_offset_ = offset_;
  if (offset_ >= end_) return Status::kEnd;
  if (!Fill(kHeaderBytes)) return Status::kTorn;
  const char* header_bytes = buffer_.data() + (offset_ - buffer_offset_);
  const auto header = DecodeHeader(header_bytes);
  if (!header) return Status::kCorrupt;
  if (!Fill(kHeaderBytes + header->length)) return Status::kTorn;
  header_bytes = buffer_.data() + (offset_ - buffer_offset_);  // Fill may have moved the buffer
  const std::string_view payload(header_bytes + kHeaderBytes, header->length);
  if (!ChecksumMatches(header_bytes, payload, header->crc)) return Status::kCorrupt;
  seq_ = header->seq;
  payload_ = payload;
  offset_ += kHeaderBytes + header->length;
  return Status::kRecord;
}

bool SegmentReader::Fill(std::size_t size) {
  if (end_ - offset_ < size) return false;
  const std::uint64_t have_until = buffer_offset_ + buffer_.size();
  if (offset_ >= buffer_offset_ && offset_ + size <= have_until) return true;
  // Refill from offset_: whatever is left of the buffer is re-read rather than moved; it is at most one
  // record header or a partial record, against a buffer of many records.
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(std::max(size, buffer_bytes_), end_ - offset_));
  buffer_.resize(want);
  const std::size_t got = ReadAt(fd_, buffer_.data(), want, offset_, path_);
  buffer_.resize(got);
  buffer_offset_ = offset_;
  return got >= size;
}

}  // namespace cinerec::collect::wal
