#include "catalog/movie_directory.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <limits>
#include <stdexcept>

#include "common/errors.h"
#include "storage/postgres/pg_array.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::catalog {

MovieSnapshot::MovieSnapshot(std::vector<MovieInfo> movies) : movies_(std::move(movies)) {
  std::unordered_map<std::string, std::uint16_t> genre_ids;
  for (auto& movie : movies_) {
    movie.genre_ids.clear();
    for (const auto& genre : movie.genres) {
      auto it = genre_ids.find(genre);
      if (it == genre_ids.end()) {
        if (genre_names_.size() > std::numeric_limits<std::uint16_t>::max())
          throw std::length_error("movie catalogue: more than 65,536 genre names");
        it = genre_ids.emplace(genre, static_cast<std::uint16_t>(genre_names_.size())).first;
        genre_names_.push_back(genre);
      }
      movie.genre_ids.push_back(it->second);
    }
  }
  std::int64_t min_id = 0, max_id = 0;
  for (const auto& movie : movies_) {
    min_id = std::min(min_id, movie.id);
    max_id = std::max(max_id, movie.id);
  }
  // Dense when the id range costs at most ~4 bytes x (4 x movies + 1024) and positions fit 32 bits.
  const bool dense = min_id >= 0 && movies_.size() < std::numeric_limits<std::uint32_t>::max()
                     && static_cast<std::uint64_t>(max_id) <= 4 * movies_.size() + 1024;
  if (dense) {
    dense_.assign(static_cast<std::size_t>(max_id) + 1, 0);
    for (std::size_t i = 0; i < movies_.size(); ++i) {
      auto& slot = dense_[static_cast<std::size_t>(movies_[i].id)];
      if (slot == 0) {  // the first of duplicates, as the map keeps it
        slot = static_cast<std::uint32_t>(i + 1);
        ++count_;
      }
    }
    return;
  }
  by_id_.reserve(movies_.size());
  for (std::size_t i = 0; i < movies_.size(); ++i)
    by_id_.emplace(movies_[i].id, i);
  count_ = by_id_.size();
}

int MovieSnapshot::GenreId(std::string_view name) const {
  // A linear search: called once per genre a request names, over a few dozen names.
  for (std::size_t i = 0; i < genre_names_.size(); ++i)
    if (genre_names_[i] == name) return static_cast<int>(i);
  return -1;
}

const MovieInfo* MovieSnapshot::Find(std::int64_t id) const {
  if (!dense_.empty()) {
    const std::uint32_t slot = DenseSlot(id);
    return slot == 0 ? nullptr : &movies_[slot - 1];
  }
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &movies_[it->second];
}

MovieDirectory::MovieDirectory(Loader loader, Options options)
    : loader_(std::move(loader)), options_(options), thread_([this] { Run(); }) {}

MovieDirectory::~MovieDirectory() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::shared_ptr<const MovieSnapshot> MovieDirectory::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

bool MovieDirectory::loaded() const {
  return snapshot() != nullptr;
}

void MovieDirectory::RequestRefresh() {
  {
    std::lock_guard lock(mutex_);
    refresh_requested_ = true;
  }
  wake_.notify_all();
}

bool MovieDirectory::RefreshNow() {
  try {
    auto snapshot = std::make_shared<const MovieSnapshot>(loader_());
    std::lock_guard lock(mutex_);
    snapshot_ = std::move(snapshot);
    last_load_ = std::chrono::steady_clock::now();
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("movie directory: refresh failed ({}); keeping the previous snapshot", e.what());
    std::lock_guard lock(mutex_);
    last_load_ = std::chrono::steady_clock::now();  // a failing store is retried at the gap, not in a loop
    return false;
  }
}

bool MovieDirectory::LoadMissing(const std::vector<std::int64_t>& ids) {
  if (!options_.find_loader) {
    {
      std::lock_guard lock(mutex_);
      if (loading_ || std::chrono::steady_clock::now() - last_load_ < options_.min_refresh_gap) return false;
      loading_ = true;
    }
    const bool loaded = RefreshNow();
    std::lock_guard lock(mutex_);
    loading_ = false;
    return loaded;
  }
  std::vector<MovieInfo> found;
  try {
    found = options_.find_loader(ids);
  } catch (const std::exception& e) {
    spdlog::warn("movie directory: looking up {} unknown movies failed: {}", ids.size(), e.what());
    return false;
  }
  if (found.empty()) return false;
  std::lock_guard lock(mutex_);
  if (snapshot_ == nullptr) return false;  // the first full load adds them
  // Copy-on-write: readers keep the snapshot they hold. New movies are rare, so the copy is too.
  auto movies = snapshot_->movies();
  for (auto& movie : found)
    if (snapshot_->Find(movie.id) == nullptr) movies.push_back(std::move(movie));
  snapshot_ = std::make_shared<const MovieSnapshot>(std::move(movies));
  return true;
}

void MovieDirectory::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    // Until the first load succeeds, retry at the on-demand gap rather than the long period.
    const auto period = snapshot_ ? options_.refresh_period : options_.min_refresh_gap;
    const bool due = last_load_ == std::chrono::steady_clock::time_point{} || now - last_load_ >= period
                     || (refresh_requested_ && now - last_load_ >= options_.min_refresh_gap);
    if (due) {
      refresh_requested_ = false;
      lock.unlock();
      RefreshNow();
      lock.lock();
      continue;
    }
    const auto next = refresh_requested_ ? last_load_ + options_.min_refresh_gap : last_load_ + period;
    wake_.wait_until(lock, next);
  }
}

namespace {

const std::string kSelectMovies =
    "SELECT m.id, m.title, COALESCE(m.duration_s, 0), 'free' = ANY(m.available_tiers),"
    " 'basic' = ANY(m.available_tiers), 'premium' = ANY(m.available_tiers), m.deleted_at IS NOT NULL,"
    " COALESCE((SELECT json_agg(g.name ORDER BY g.name COLLATE \"C\") FROM movie_genres mg"
    "           JOIN genres g ON g.id = mg.genre_id WHERE mg.movie_id = m.id), '[]')::text"
    " FROM movies m";

std::vector<MovieInfo> ReadMovies(const PgResult& result) {
  std::vector<MovieInfo> movies(static_cast<std::size_t>(result.rows()));
  for (int row = 0; row < result.rows(); ++row) {
    auto& movie = movies[static_cast<std::size_t>(row)];
    movie.id = result.GetInt(row, 0);
    movie.title = std::string(result.Get(row, 1));
    movie.duration_s = static_cast<std::uint32_t>(result.GetInt(row, 2));
    movie.tiers =
        static_cast<std::uint8_t>((result.GetBool(row, 3) ? 1 : 0) | (result.GetBool(row, 4) ? 2 : 0)
                                  | (result.GetBool(row, 5) ? 4 : 0));
    movie.deleted = result.GetBool(row, 6);
    const auto genres =
        boost::json::parse(result.Get(row, 7));  // named: a temporary would die before the loop
    for (const auto& genre : genres.as_array())
      movie.genres.emplace_back(genre.as_string());
  }
  return movies;
}

}  // namespace

MovieDirectory::Loader PgMovieLoader(PgPool& pool) {
  return [&pool] { return ReadMovies(pool.Exec(kSelectMovies)); };
}

std::function<std::vector<MovieInfo>(const std::vector<std::int64_t>&)> PgMovieFinder(PgPool& pool) {
  return [&pool](const std::vector<std::int64_t>& ids) {
    return ReadMovies(pool.Exec(kSelectMovies + " WHERE m.id = ANY($1::bigint[])", PgParams(PgArray(ids))));
  };
}

}  // namespace cinerec::catalog
