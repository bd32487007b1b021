#pragma once
// MovieDirectory: the whole catalogue's few serving attributes (title, genres, length, tiers, deleted) in
// memory, for the hot paths that must not query PostgreSQL per event or per request: validating event
// movie ids, copying genres onto ClickHouse rows, titles in trending lists, and later the serving filters.
// Tens of thousands of movies take a few MB; a refresh replaces the snapshot atomically (readers keep the
// snapshot they hold), periodically and on demand when an unknown id is seen (rate-limited).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cinerec {
class PgPool;
}

namespace cinerec::catalog {

struct MovieInfo {
  std::int64_t id = 0;
  std::string title;
  std::vector<std::string> genres;  // sorted by name
  std::uint32_t duration_s = 0;     // 0 = unknown
  std::uint8_t tiers = 0;           // bit 0 free, bit 1 basic, bit 2 premium
  bool deleted = false;
  // `genres` as the snapshot's genre numbers (MovieSnapshot::GenreId), filled by the snapshot: the serving
  // rules compare small integers instead of strings per candidate.
  std::vector<std::uint16_t> genre_ids{};
};

class MovieSnapshot {
 public:
  explicit MovieSnapshot(std::vector<MovieInfo> movies);
  const MovieInfo* Find(std::int64_t id) const;  // nullptr when unknown (deleted movies are found)
  std::size_t size() const { return count_; }
  const std::vector<MovieInfo>& movies() const { return movies_; }
  // The number of a genre name in this snapshot (MovieInfo::genre_ids); -1 when no movie has it.
  int GenreId(std::string_view name) const;
  // Names by genre number: a small table that stays in cache, where each movie's own `genres` would cost a
  // memory access per movie on the hot paths.
  const std::vector<std::string>& genre_names() const { return genre_names_; }
  // Hints the CPU to load the movie `id`'s row ahead of a Find (a list's candidates are random rows of a
  // catalogue far larger than the caches).
  void Prefetch(std::int64_t id) const {
    if (const std::uint32_t slot = DenseSlot(id); slot != 0) __builtin_prefetch(&movies_[slot - 1]);
  }

 private:
  std::vector<MovieInfo> movies_;
  std::size_t count_ = 0;  // distinct ids
  // Ids are usually dense (a sequence): then a position per id (index + 1, 0 = none) answers Find with one
  // load instead of a hash lookup — Find runs for every candidate a request looks at. Sparse ids use the map.
  std::vector<std::uint32_t> dense_;
  std::unordered_map<std::int64_t, std::size_t> by_id_;
  // dense_'s entry for `id`; 0 when none (also when ids are sparse).
  std::uint32_t DenseSlot(std::int64_t id) const {
    return id >= 0 && static_cast<std::uint64_t>(id) < dense_.size() ? dense_[static_cast<std::size_t>(id)]
                                                                     : 0;
  }
  std::vector<std::string> genre_names_;  // by genre id
};

class MovieDirectory {
 public:
  using Loader = std::function<std::vector<MovieInfo>()>;  // throws StoreError when the store is down
  struct Options {
    std::chrono::milliseconds refresh_period{30000};
    std::chrono::milliseconds min_refresh_gap{1000};  // on-demand refreshes at most this often
    // Loads just the given movies (by primary key). Lets LoadMissing find a movie created a moment ago
    // without reloading the catalogue; empty = LoadMissing falls back to a rate-limited full refresh.
    std::function<std::vector<MovieInfo>(const std::vector<std::int64_t>& ids)> find_loader;
  };
  // Starts a background thread that loads at once and then every refresh_period. Until the first load
  // succeeds, loaded() is false and Find returns nullptr.
  MovieDirectory(Loader loader, Options options);
  ~MovieDirectory();
  MovieDirectory(const MovieDirectory&) = delete;
  MovieDirectory& operator=(const MovieDirectory&) = delete;

  std::shared_ptr<const MovieSnapshot> snapshot() const;
  bool loaded() const;
  // Asks for a refresh soon (e.g. an event named an unknown movie); returns at once.
  void RequestRefresh();
  // Loads now on the calling thread; false when the loader failed. For start-up and tests.
  bool RefreshNow();
  // For a request that met ids the snapshot lacks: looks them up now, on the calling thread, and adds the
  // ones that exist to a new snapshot. True when something was added. Throws nothing (a failing store just
  // leaves the ids unknown).
  bool LoadMissing(const std::vector<std::int64_t>& ids);

 private:
  void Run();

  Loader loader_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const MovieSnapshot> snapshot_;      // GUARDED_BY(mutex_)
  bool refresh_requested_ = false;                     // GUARDED_BY(mutex_)
  bool stopping_ = false;                              // GUARDED_BY(mutex_)
  bool loading_ = false;                               // GUARDED_BY(mutex_): a RefreshIfStale is running
  std::chrono::steady_clock::time_point last_load_{};  // GUARDED_BY(mutex_)
  std::thread thread_;
};

// Loads every movie (deleted ones included, flagged) from PostgreSQL in one query.
MovieDirectory::Loader PgMovieLoader(PgPool& pool);
// Loads the given movies from PostgreSQL (for Options::find_loader).
std::function<std::vector<MovieInfo>(const std::vector<std::int64_t>&)> PgMovieFinder(PgPool& pool);

}  // namespace cinerec::catalog
