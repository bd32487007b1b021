#pragma once
// StoreWriter: the bulk path from records (MovieLens or synthetic) into PostgreSQL and ClickHouse.
//
// PostgreSQL: rows are streamed with COPY into session-local staging tables, then moved with
// INSERT ... SELECT ... ON CONFLICT, one transaction per chunk, so that a re-run adds nothing:
//   users       keyed by id (or external_id '<source>:<id>' with remap_ids), synthetic email
//               '<source>-user-<id>@import.invalid', no password
//   movies      keyed by id (or external_id), extra = {"source": ..., "ids": {"movielens", "imdb", "tmdb"}}
//   views       keyed by (user_id, session_key); the key comes from the record and is deterministic
//   reactions   last write wins by (event_time, event_id), event ids deterministic
// When views and reactions were both empty at Begin(), interactions are COPied straight into them (each
// user's reactions reduced to the latest per movie first); a chunk that meets a row already there (a key
// repeated across chunks, a concurrent writer) is rolled back and written through staging instead.
// ClickHouse: a view_start and a view_stop per interaction in watch_events, and a like/dislike in ui_events,
// with event ids derived from the session key (DeterministicUuid), so a re-run inserts the same ids and
// uniqExact(event_id) stays exact. Sent after the commit of their chunk, clickhouse_batch interactions at a
// time grouped by month (the tables' partition), on a thread of their own.
//
// Parallel: interactions are written over `connections` PostgreSQL connections at once, each with its own
// staging tables and transaction, users split between them by id (so one user's rows, and any conflict
// between them, stay on one connection). A chunk ends at a user boundary where it can.
//
// Bulk mode (bulk_schema.h): a load of at least bulk_threshold expected interactions, and at least twice as
// many as `views` already holds, drops the secondary indexes and foreign keys of views and reactions for its
// duration and rebuilds them in Finish() (after an error: in the destructor; if the process dies: at the
// start of the next import, generate or migrate).
//
// Pipelining: a full chunk is written (PostgreSQL, then ClickHouse) on other threads while the caller
// reads or generates the next one; at most one chunk is in flight. Its errors surface at the next flush.
//
// Ids: without remap_ids the source ids are the database ids, and Begin() refuses (TargetNotEmpty) a
// database holding users or movies that did not come from this same source; Finish() moves the id
// sequences past them. With remap_ids new ids are assigned and the source ids kept as external ids.
//
// Memory: the movies (id map, genres, duration) and a source-id -> id map of users; interactions are held
// one chunk at a time. Not thread-safe: one thread drives a writer.
#include <cstdint>
#include <future>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingest/records.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec {
class ClickHouseClient;
}

namespace cinerec::ingest {

class TargetNotEmpty : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct WriterOptions {
  std::string source;                          // "ml-1m", "synth": prefixes of external ids, emails
  std::string display_name = "Imported user";  // "<display_name> <id>"
  bool remap_ids = false;
  std::size_t chunk_rows = 50000;  // interactions per PostgreSQL transaction (per connection: a share of it)
  // Interactions whose events go to ClickHouse together, grouped by month (inserts of at most 100,000 rows):
  // an insert makes a part per month it touches, and a small part costs ClickHouse far more than its rows.
  std::size_t clickhouse_batch = 500000;
  // PostgreSQL connections writing interactions at once (the pool must have as many); at least 1.
  int connections = 2;
  // Interactions the caller expects to add (0 = unknown): bulk mode needs at least bulk_threshold of them.
  std::uint64_t expected_interactions = 0;
  std::uint64_t bulk_threshold = 1000000;
  bool direct_copy = true;  // COPY straight into views and reactions when both are empty
};

struct WriteCounts {
  // Rows PostgreSQL inserted (or, for reactions, changed): 0 on a re-run.
  std::uint64_t users = 0, movies = 0, movie_genres = 0, views = 0, reactions = 0;
  // Rows sent to ClickHouse (a re-run sends them again; their ids collapse).
  std::uint64_t watch_events = 0, ui_events = 0;
  std::uint64_t interactions = 0;        // handed to AddInteraction
  std::uint64_t unknown_movie_rows = 0;  // interactions naming a movie that was not written: skipped
  std::set<std::string> unknown_genres;  // genre names not in the genres table
  bool bulk = false;                     // bulk mode: indexes and foreign keys rebuilt at the end
  bool direct = false;                   // views and reactions were empty: COPY straight into them
  std::uint64_t direct_fallbacks = 0;    // chunks that met existing rows and went through staging
  double rebuild_seconds = 0;            // Finish(): rebuilding what bulk mode dropped
  std::vector<std::string> restored;     // indexes / foreign keys an interrupted bulk load had left missing
};

// Summary lines for `import` and `generate` on how the rows went in ("" for the plain staging path).
std::string LoadModeSummary(const WriteCounts& counts);

// Recreates the indexes and foreign keys that an interrupted bulk load left missing (bulk_schema.h); returns
// their names, none (after one catalog query) when nothing is missing. Begin() calls it too. Leaves the
// pooled connection with its statement timeout.
std::vector<std::string> RestoreAfterInterruptedLoad(PgPool& postgres);

// True when the database has at least one movie (soft-deleted ones included): `--if-empty` skips loading
// then.
bool DatabaseHasMovies(PgPool& postgres);

// `--if-empty` for import and generate: repairs what an interrupted bulk load left missing, then true (having
// said so on stderr) when the database already has movies and nothing should be loaded.
bool SkipLoadBecauseNotEmpty(PgPool& postgres);

class StoreWriter {
 public:
  StoreWriter(PgPool& postgres, ClickHouseClient& clickhouse, WriterOptions options);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Checks the target (throws TargetNotEmpty), reads the genres, creates the staging tables.
  void Begin();
  // REQUIRES: Begin(); called before any AddInteraction. May be called more than once (batches).
  void WriteMovies(const std::vector<MovieRecord>& movies);
  void AddUser(std::int64_t source_id);
  void AddInteraction(const Interaction& interaction);
  // Writes what is buffered, waits for ClickHouse, rebuilds what bulk mode dropped, moves the id sequences,
  // analyzes the tables.
  void Finish();
  const WriteCounts& counts() const { return counts_; }

 private:
  struct MovieInfo {
    std::int64_t id = 0;
    int duration_s = 0;
    std::string genres_json;  // ["Action","Drama"]
  };
  struct Resolved {  // database ids of one pending interaction
    std::int64_t user;
    const MovieInfo* movie;  // into movies_: stable (entries are never erased)
  };
  struct Chunk {  // interactions with their database ids
    std::vector<Interaction> batch;
    std::vector<Resolved> resolved;
  };
  struct ChunkCounts {
    std::uint64_t views = 0, reactions = 0, direct_fallbacks = 0;
  };
  void FlushUsers();
  void FlushInteractions();
  PgConnection& Lane(std::size_t lane) { return lane == 0 ? **lease_ : *lanes_[lane - 1]; }
  // Run on job threads: touch only their lane's connection, the ClickHouse client and their arguments.
  ChunkCounts WriteChunk(Chunk chunk);
  void WriteLane(std::size_t lane, const Chunk& chunk, const std::vector<std::uint32_t>& rows,
                 ChunkCounts& out);
  // Hands the committed chunks queued so far to the ClickHouse thread (after the previous send is done).
  void SendQueuedEvents();
  void SendEvents(const std::vector<Chunk>& chunks);
  void RebuildDeferred();
  // Waits for the chunk in flight (rethrowing its error) and adds its counts. Every use of the connection
  // on the caller's thread calls it first.
  void WaitWriteJob();
  void WaitClickHouse();  // REQUIRES: no job in flight, or called from the job thread
  std::string ExternalPrefix() const { return options_.source + ":"; }

  PgPool& postgres_;
  ClickHouseClient& clickhouse_;
  WriterOptions options_;
  std::optional<PgPool::Lease> lease_;  // lane 0: users, movies and setup too
  std::vector<PgPool::Lease> lanes_;    // lanes 1..connections-1
  bool bulk_ = false;                   // the deferred objects are dropped and not yet rebuilt
  bool direct_ = false;
  std::unordered_map<std::string, int> genre_ids_;
  std::unordered_map<int, std::string> genre_names_;
  std::unordered_map<std::int64_t, MovieInfo> movies_;
  std::unordered_map<std::int64_t, std::int64_t> users_;  // source id -> database id (0 = not yet written)
  std::vector<std::int64_t> pending_users_;
  std::vector<Interaction> pending_;
  // Committed chunks whose events are not yet sent; sent together once they hold clickhouse_batch
  // interactions. Touched by the job thread, or by the caller's once no job is in flight.
  std::vector<Chunk> clickhouse_queue_;
  std::size_t clickhouse_queued_ = 0;
  std::future<void> clickhouse_pending_;  // the inserts of the previous batch
  std::future<ChunkCounts> write_job_;    // the previous chunk, written while the caller builds the next
  WriteCounts counts_;
};

}  // namespace cinerec::ingest
