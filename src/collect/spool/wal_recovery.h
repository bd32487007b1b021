#pragma once
// Opening an existing spool after a clean stop or a crash: finds its segments, checks every record, and cuts
// a torn tail off the last segment.
#include <filesystem>
#include <vector>

#include "collect/spool/wal_segment.h"

namespace cinerec::collect::wal {

// Scans the segment files of `dir` in seq order and returns them with their sparse indexes. The last
// segment's torn tail (a short record or one that fails its checksum: a crash interrupted the write before
// fdatasync returned, so it was never acknowledged) is truncated. Throws std::runtime_error, naming the file
// and what to do, when any other segment is damaged or the segments' seqs do not follow each other.
std::vector<Segment> RecoverSegments(const std::filesystem::path& dir);

}  // namespace cinerec::collect::wal
