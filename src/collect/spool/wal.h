#pragma once
// Wal: the collection service's local write-ahead log ("spool"). An HTTP batch of events is acknowledged
// only once Append has made it durable here; one consumer per store reads the log, delivers in large
// batches and commits its position, so a kill -9 loses nothing acknowledged (at most the last uncommitted
// batch of each consumer is delivered twice; the stores are idempotent by event id). Records are opaque
// bytes (collect/event_codec.h encodes them).
//
// On-disk format, in options.dir (all integers little-endian):
//  - Segment files "<first seq, 20 digits>.wal", e.g. 00000000000000000001.wal: records back to back, seqs
//    consecutive from the file's name, the next file named after the seq following this one's last record.
//    No file header: the name is enough, and an empty file still records the next seq to assign.
//  - Record: a 20-byte header, then the payload.
//      offset 0  u8  magic 0xC7        offset 4  u32 payload length (at most 64 MiB)
//      offset 1  u8  version 1         offset 8  u64 seq
//      offset 2  u16 reserved, 0       offset 16 u32 CRC-32 (zlib's crc32) of the payload, then bytes 0..15
//    The payload is checksummed first so that appenders can do it before taking the lock that assigns seqs.
//  - "<consumer>.cursor": the consumer's committed seq in decimal and a newline, replaced atomically
//    (temporary file, fsync, rename, fsync of the directory).
//  - "LOCK": flock'ed while a Wal has the directory open, so two processes never share one spool.
//
// Recovery: only the last segment can end in a torn record (a write the crash interrupted, never
// acknowledged since fdatasync had not returned): it is cut off. Any other damage is refused.
//
// Thread safety: Append from any number of threads; Read, Commit, committed and stats from any thread (each
// consumer typically reads and commits from its own thread). The destructor must not race other calls.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "collect/spool/wal_files.h"
#include "collect/spool/wal_segment.h"

namespace cinerec::collect {

struct WalOptions {
  std::filesystem::path dir;                // created if missing
  std::uint64_t segment_bytes = 64u << 20;  // a new segment file starts once the current one holds this
  std::uint64_t max_bytes = 2ull << 30;     // capacity: Append throws WalFull once the spool holds this
  bool sync = true;  // fdatasync before Append returns; false only for benchmarks and tests
};

struct WalRecord {
  std::uint64_t seq;
  std::string data;
};

// The spool is at capacity (consumers are behind): answer 503 with Retry-After.
class WalFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Wal {
 public:
  // Opens or creates the spool in options.dir for these consumers (names of [A-Za-z0-9_-], at most 64
  // characters, fixed for the spool's life). A consumer without a cursor file starts at the current end; a
  // cursor file of a consumer not listed is ignored (and does not hold segments back). Cuts a torn tail off
  // the last segment. Throws std::runtime_error naming the path and what to do when the directory is
  // unusable, already open, or a segment is damaged anywhere but its torn tail; std::invalid_argument for
  // bad options or consumer names.
  Wal(WalOptions options, std::vector<std::string> consumers);
  // Wakes blocked readers, syncs (when options.sync is false) and closes. REQUIRES: no call in progress.
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends one record and returns its seq (1, 2, 3... over the spool's life, persisted across restarts)
  // once it is durable: written and, with options.sync, fdatasync'd. Group commit: while one thread writes
  // and syncs, records of other callers gather, and the next single write + fdatasync covers them all.
  // Throws WalFull when the spool already holds max_bytes; std::invalid_argument for a record over 64 MiB;
  // std::system_error on an I/O failure. After any throw nothing was acknowledged, and a record that did
  // reach the file is cut off again (its seq is given to a later record).
  std::uint64_t Append(std::string_view record);

  // Returns durable records with seq > after_seq, in order: up to max_records, and stopping before the
  // payloads pass max_bytes (but at least one record when any is available). Waits up to `wait` for the first
  // one, less if Close() is called. Records that every consumer had committed may have been deleted: they
  // are skipped. Each call resumes from where a recent call ended without rescanning, so a consumer should
  // pass the last seq it was given. Throws std::runtime_error if a segment turns out damaged.
  std::vector<WalRecord> Read(std::uint64_t after_seq, std::size_t max_records, std::size_t max_bytes,
                              std::chrono::milliseconds wait);

  // The consumer's committed seq (0: nothing yet). Throws std::invalid_argument for an unknown consumer.
  std::uint64_t committed(std::string_view consumer) const;

  // Records that `consumer` delivered everything up to and including `seq`: persists it (crash-safe) before
  // returning, then deletes the segments every consumer has passed. A seq at or below the committed one is
  // ignored. Throws std::invalid_argument for an unknown consumer or a seq beyond the last appended record;
  // std::system_error when the cursor cannot be written (the previous position stays committed).
  void Commit(std::string_view consumer, std::uint64_t seq);

  // Makes Read return at once from now on, waking the readers waiting in it (for shutdown). Append and
  // Commit keep working.
  void Close();

  struct Stats {
    std::uint64_t bytes = 0;                                 // sum of the segment files' sizes
    std::uint64_t segments = 0;                              // segment files
    std::uint64_t last_seq = 0;                              // the last durable record
    std::uint64_t appended_records = 0, appended_bytes = 0;  // since open; payload bytes
    std::uint64_t syncs = 0;                                 // fdatasync calls of Append, since open
    std::map<std::string, std::uint64_t> lag_records;        // per consumer: last_seq - committed
  };
  Stats stats() const;

 private:
  struct Waiter;
  struct Group {  // records gathered for one write
    std::string bytes;
    std::vector<Waiter*> waiters;
    std::uint64_t first_seq = 0;
  };
  struct Consumer {
    std::mutex cursor_mutex;      // serialises writes of this consumer's cursor file
    std::uint64_t committed = 0;  // GUARDED_BY(mutex_)
  };
  struct Hint {  // where a recent Read stopped: the record `seq` starts at `offset` of segment `segment`
    std::uint64_t seq = 0, segment = 0, offset = 0, last_used = 0;
  };
  struct Position {
    std::uint64_t seq, segment, offset, end;
  };

  void Open(const std::vector<std::string>& consumers);
  void LoadCursors(const std::vector<std::string>& consumers);
  Consumer& FindConsumer(std::string_view name) const;
  // Writes pending_ as one group. REQUIRES: lock holds mutex_, !writing_, pending_ has records.
  void WriteGroup(std::unique_lock<std::mutex>& lock);
  void RollSegment(std::uint64_t first_seq);  // REQUIRES: the caller is the writer (writing_ was set by it)
  // Marks every waiter of `group` and of pending_ failed and gives their seqs back. REQUIRES: mutex_ held.
  void FailGroupLocked(Group& group, const std::system_error& error);
  Position LocateLocked(std::uint64_t seq);                  // REQUIRES: mutex_ held
  void RememberLocked(std::uint64_t from_seq, Position to);  // REQUIRES: mutex_ held
  // Takes the segments every consumer has passed out of segments_; returns their paths, for unlinking
  // outside the lock. REQUIRES: mutex_ held.
  std::vector<std::filesystem::path> DetachPassedSegmentsLocked();
  void RemoveFiles(const std::vector<std::filesystem::path>& paths);
  std::filesystem::path SegmentPath(std::uint64_t first_seq) const;

  const WalOptions options_;
  wal::FileDescriptor dir_fd_;
  wal::FileDescriptor lock_fd_;
  std::map<std::string, std::unique_ptr<Consumer>, std::less<>> consumers_;  // fixed after the constructor
  wal::SegmentFiles read_files_;                                             // thread-safe itself

  mutable std::mutex mutex_;
  std::condition_variable group_done_;              // appenders: a group was written (or failed)
  std::condition_variable readable_;                // readers: records became durable, or Close()
  std::map<std::uint64_t, wal::Segment> segments_;  // GUARDED_BY(mutex_); by first seq, last is written to
  std::uint64_t next_seq_ = 1;                      // GUARDED_BY(mutex_)
  std::uint64_t durable_seq_ = 0;                   // GUARDED_BY(mutex_)
  std::uint64_t bytes_ = 0;                         // GUARDED_BY(mutex_): durable bytes of segments_
  std::uint64_t writing_bytes_ = 0;                 // GUARDED_BY(mutex_): bytes of the group being written
  Group pending_;                                   // GUARDED_BY(mutex_): records waiting for a writer
  Group spare_;                                     // GUARDED_BY(mutex_): emptied containers, for reuse
  bool writing_ = false;                            // GUARDED_BY(mutex_): a thread is the writer
  bool closed_ = false;                             // GUARDED_BY(mutex_)
  std::error_code broken_;        // GUARDED_BY(mutex_): an I/O failure left the file in an unknown state
  std::vector<Hint> hints_;       // GUARDED_BY(mutex_)
  std::uint64_t hint_clock_ = 0;  // GUARDED_BY(mutex_)
  std::uint64_t appended_records_ = 0, appended_bytes_ = 0, syncs_ = 0;  // GUARDED_BY(mutex_)

  // Owned by the writer (the thread that set writing_), or by the constructor and destructor.
  wal::FileDescriptor write_fd_;
  std::filesystem::path write_path_;
  std::uint64_t write_offset_ = 0;  // the end of the last segment, where the next group goes
};

}  // namespace cinerec::collect
