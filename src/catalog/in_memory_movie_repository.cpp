#include "catalog/in_memory_movie_repository.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "common/errors.h"

namespace cinerec::catalog {
namespace {

std::string Now() {
  auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto micros = (now - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06d}Z", seconds, micros);
}

bool IsWordByte(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u);
}

std::set<std::string> Words(std::string_view text) {
  std::set<std::string> words;
  std::string word;
  for (char c : text) {
    if (IsWordByte(c)) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.insert(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.insert(std::move(word));
  return words;
}

bool MatchesQuery(const Movie& movie, const std::set<std::string>& query) {
  if (query.empty()) return false;  // like an empty tsquery: matches nothing
  auto words = Words(movie.title + " " + movie.original_title.value_or("") + " " + movie.description);
  return std::all_of(query.begin(), query.end(), [&](const auto& w) { return words.count(w) > 0; });
}

}  // namespace

std::vector<Genre> SeededGenres() {
  const char* names[] = {"Action", "Adventure", "Animation", "Children", "Comedy",  "Crime",   "Documentary",
                         "Drama",  "Fantasy",   "Film-Noir", "Horror",   "Musical", "Mystery", "Romance",
                         "Sci-Fi", "Thriller",  "War",       "Western",  "IMAX"};
  std::vector<Genre> genres;
  for (int i = 0; i < static_cast<int>(std::size(names)); ++i)
    genres.push_back({i + 1, names[i]});
  return genres;
}

InMemoryMovieRepository::InMemoryMovieRepository(std::vector<Genre> genres) : genres_(std::move(genres)) {}

void InMemoryMovieRepository::CheckGenresExist(const std::vector<std::string>& names) const {
  for (const auto& name : names) {
    if (std::none_of(genres_.begin(), genres_.end(), [&](const Genre& g) { return g.name == name; }))
      throw Unprocessable("genres", "unknown genre '" + name + "'");
  }
}

Movie InMemoryMovieRepository::Create(const Movie& draft) {
  std::lock_guard lock(mutex_);
  CheckGenresExist(draft.genres);
  Movie movie = draft;
  movie.id = next_id_++;
  movie.genres = NormalizeGenres(movie.genres);
  movie.created_at = movie.updated_at = Now();
  rows_[movie.id] = Row{movie, false};
  return movie;
}

std::optional<Movie> InMemoryMovieRepository::Get(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = rows_.find(id);
  if (it == rows_.end() || it->second.deleted) return std::nullopt;
  return it->second.movie;
}

std::optional<Movie> InMemoryMovieRepository::Update(std::int64_t id, const MoviePatch& patch) {
  std::lock_guard lock(mutex_);
  auto it = rows_.find(id);
  if (it == rows_.end() || it->second.deleted) return std::nullopt;
  if (patch.genres) CheckGenresExist(*patch.genres);
  Apply(patch, it->second.movie);
  it->second.movie.updated_at = Now();
  return it->second.movie;
}

bool InMemoryMovieRepository::SoftDelete(std::int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = rows_.find(id);
  if (it == rows_.end() || it->second.deleted) return false;
  it->second.deleted = true;
  return true;
}

MoviePage InMemoryMovieRepository::List(const MovieFilter& filter) {
  std::lock_guard lock(mutex_);
  if (filter.genre && std::none_of(genres_.begin(), genres_.end(), [&](const Genre& g) {
        return g.name == *filter.genre;
      }))
    throw Unprocessable("genre", "unknown genre '" + *filter.genre + "'");
  const auto query = filter.q ? Words(*filter.q) : std::set<std::string>{};
  MoviePage page;
  auto it = filter.after_id ? rows_.upper_bound(*filter.after_id) : rows_.begin();
  for (; it != rows_.end(); ++it) {
    if (it->second.deleted) continue;
    const Movie& m = it->second.movie;
    if (filter.genre && std::find(m.genres.begin(), m.genres.end(), *filter.genre) == m.genres.end())
      continue;
    if (filter.year_from && (!m.year || *m.year < *filter.year_from)) continue;
    if (filter.year_to && (!m.year || *m.year > *filter.year_to)) continue;
    if (filter.q && !MatchesQuery(m, query)) continue;
    if (static_cast<int>(page.items.size()) == filter.limit) {
      page.next_after_id = page.items.back().id;
      break;
    }
    page.items.push_back(m);
  }
  return page;
}

std::vector<Genre> InMemoryMovieRepository::ListGenres() {
  std::lock_guard lock(mutex_);
  return genres_;
}

}  // namespace cinerec::catalog
