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
// ClickHouse: a view_start and a view_stop per interaction in watch_events, and a like/dislike in ui_events,
// with event ids derived from the session key (DeterministicUuid), so a re-run inserts the same ids and
// uniqExact(event_id) stays exact. One insert request per chunk and table, after the chunk's commit,
// overlapped with the next chunk's PostgreSQL work.
//
// Pipelining: a full chunk is written (PostgreSQL, then ClickHouse) on a second thread while the caller
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
  std::size_t chunk_rows = 50000;  // interactions per PostgreSQL transaction and ClickHouse request
};

struct WriteCounts {
  // Rows PostgreSQL inserted (or, for reactions, changed): 0 on a re-run.
  std::uint64_t users = 0, movies = 0, movie_genres = 0, views = 0, reactions = 0;
  // Rows sent to ClickHouse (a re-run sends them again; their ids collapse).
  std::uint64_t watch_events = 0, ui_events = 0;
  std::uint64_t interactions = 0;        // handed to AddInteraction
  std::uint64_t unknown_movie_rows = 0;  // interactions naming a movie that was not written: skipped
  std::set<std::string> unknown_genres;  // genre names not in the genres table
};

// True when the database has at least one movie (soft-deleted ones included): `--if-empty` skips loading
// then.
bool DatabaseHasMovies(PgPool& postgres);

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
  // Writes what is buffered, waits for ClickHouse, moves the id sequences, analyzes the tables.
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
  struct ChunkCounts {
    std::uint64_t views = 0, reactions = 0, watch_events = 0, ui_events = 0;
  };
  void FlushUsers();
  void FlushInteractions();
  // Runs on the job thread: touches only the lease, the ClickHouse client and its arguments.
  ChunkCounts WriteChunk(const std::vector<Interaction>& batch, const std::vector<Resolved>& resolved);
  // Waits for the chunk in flight (rethrowing its error) and adds its counts. Every use of the connection
  // on the caller's thread calls it first.
  void WaitWriteJob();
  void WaitClickHouse();  // REQUIRES: no job in flight, or called from the job thread
  std::string ExternalPrefix() const { return options_.source + ":"; }

  PgPool& postgres_;
  ClickHouseClient& clickhouse_;
  WriterOptions options_;
  std::optional<PgPool::Lease> lease_;
  std::unordered_map<std::string, int> genre_ids_;
  std::unordered_map<int, std::string> genre_names_;
  std::unordered_map<std::int64_t, MovieInfo> movies_;
  std::unordered_map<std::int64_t, std::int64_t> users_;  // source id -> database id (0 = not yet written)
  std::vector<std::int64_t> pending_users_;
  std::vector<Interaction> pending_;
  std::future<void> clickhouse_pending_;  // the previous chunk's inserts
  std::future<ChunkCounts> write_job_;    // the previous chunk, written while the caller builds the next
  WriteCounts counts_;
};

}  // namespace cinerec::ingest
