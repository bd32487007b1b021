#include "collect/spool/wal_recovery.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "collect/spool/wal_files.h"

namespace cinerec::collect::wal {
namespace {

constexpr std::size_t kScanBufferBytes = 1u << 20;

std::string Describe(SegmentReader::Status status) {
  return status == SegmentReader::Status::kTorn ? "record cut short" : "invalid header or checksum mismatch";
}

[[noreturn]] void ThrowDamaged(const std::filesystem::path& path, std::uint64_t offset,
                               const std::string& problem) {
  throw std::runtime_error(fmt::format(
      "spool segment {} is damaged at offset {} ({}) and holds acknowledged events: the spool cannot open. "
      "Copy the spool directory aside for inspection; to start anyway, truncate the file at that offset or "
      "move it and every later segment out of the directory (their undelivered events are then lost)",
      path.string(), offset, problem));
}

// Scans one segment; returns its extent. `tail`: a torn end is cut off instead of refused.
Segment ScanSegment(const std::filesystem::path& path, std::uint64_t first_seq, bool tail) {
  FileDescriptor fd = OpenFile(path, tail ? O_RDWR : O_RDONLY);
  const std::uint64_t size = FileSize(fd.get(), path);
  Segment segment{first_seq, first_seq - 1, 0, {}};
  SegmentReader reader(fd.get(), path, 0, size, kScanBufferBytes);
  for (;;) {
    const auto status = reader.Next();
    if (status == SegmentReader::Status::kEnd) break;
    if (status != SegmentReader::Status::kRecord) {
      if (!tail) ThrowDamaged(path, reader.record_offset(), Describe(status));
      spdlog::warn(
          "spool: cut {} bytes off the end of {} at offset {} ({}): a write interrupted by a crash, never "
          "acknowledged",
          size - reader.record_offset(), path.string(), reader.record_offset(), Describe(status));
      Truncate(fd.get(), reader.record_offset(), path);
      SyncData(fd.get(), path);
      break;
    }
    if (reader.seq() != segment.last_seq + 1) {
      // A valid checksum with the wrong seq is not a torn write: something else wrote here.
      ThrowDamaged(path, reader.record_offset(),
                   fmt::format("seq {} where {} was expected", reader.seq(), segment.last_seq + 1));
    }
    segment.MaybeIndex(reader.seq(), reader.record_offset());
    segment.last_seq = reader.seq();
    segment.bytes = reader.offset();
  }
  return segment;
}

}  // namespace

std::vector<Segment> RecoverSegments(const std::filesystem::path& dir) {
  std::vector<std::uint64_t> first_seqs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    auto seq = ParseSegmentFileName(entry.path().filename().string());
    if (seq && entry.is_regular_file()) first_seqs.push_back(*seq);
  }
  std::sort(first_seqs.begin(), first_seqs.end());
  std::vector<Segment> segments;
  for (std::size_t i = 0; i < first_seqs.size(); ++i) {
    const auto path = dir / SegmentFileName(first_seqs[i]);
    segments.push_back(ScanSegment(path, first_seqs[i], i + 1 == first_seqs.size()));
    if (i > 0 && segments[i - 1].last_seq + 1 != first_seqs[i]) {
      throw std::runtime_error(fmt::format(
          "spool segments {} (last seq {}) and {} do not follow each other: a segment file was removed or "
          "copied in by hand. Restore the missing one, or move every segment before {} out of the directory "
          "(their undelivered events are then lost)",
          SegmentFileName(first_seqs[i - 1]), segments[i - 1].last_seq, path.string(),
          path.filename().string()));
    }
  }
  return segments;
}

}  // namespace cinerec::collect::wal
