#include "recommend/list_filter.h"

#include <algorithm>
#include <charconv>

#include "catalog/movie_directory.h"

namespace cinerec::recommend {
namespace {

std::string Concat(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a).append(b);
  return out;
}

}  // namespace

std::uint8_t TierBit(std::string_view tier) {
  if (tier == "free") return 1;
  if (tier == "basic") return 2;
  if (tier == "premium") return 4;
  return 0;
}

std::vector<Selected> Select(const CandidateList& list, const catalog::MovieSnapshot& movies,
                             const ReadFilter& filter) {
  // One pass, best first, that stops as soon as the page is full: the rules for every candidate, and the
  // genre cap for those that pass. Candidates past the point where the page fills are never needed, so a
  // cache hit usually looks at a few dozen of the 300 (this loop was the largest cost of a hit).
  //
  // The cap: 60% of the page (at least 3): a clear taste keeps most of the page, one genre never takes all of
  // it. Genres the request asked for are not capped (every item has them). Deferred items fill what is left,
  // in their order; if fewer items than the page passed the rules at all, they are returned in list order.
  const std::size_t cap = std::max<std::size_t>(3, (filter.limit * 3 + 4) / 5);
  // Genres by the snapshot's numbers (MovieInfo::genre_ids): integer compares per candidate, not strings. A
  // requested name no movie has is -1 and matches nothing.
  std::vector<int> wanted;
  wanted.reserve(filter.genres.size());
  for (const auto& genre : filter.genres)
    wanted.push_back(movies.GenreId(genre));
  auto is_wanted = [&](std::uint16_t genre) {
    return std::find(wanted.begin(), wanted.end(), static_cast<int>(genre)) != wanted.end();
  };
  std::vector<std::pair<std::uint16_t, std::size_t>> per_genre;  // few genres: a vector beats a map
  auto count_of = [&](std::uint16_t genre) -> std::size_t* {
    for (auto& [id, count] : per_genre)
      if (id == genre) return &count;
    return nullptr;
  };
  std::vector<Selected> kept, selected, deferred;
  kept.reserve(filter.limit);
  selected.reserve(filter.limit);
  // Candidates are random rows of a large catalogue: the row a few places ahead is requested early, so its
  // memory access overlaps the work on this one.
  constexpr std::size_t kPrefetchAhead = 4;
  const std::size_t items = list.items.size();
  for (std::size_t i = 0; i < std::min(kPrefetchAhead, items); ++i)
    movies.Prefetch(list.items[i].movie_id);
  for (std::size_t index = 0; index < items; ++index) {
    const auto& candidate = list.items[index];
    if (selected.size() == filter.limit) break;
    if (index + kPrefetchAhead < items) movies.Prefetch(list.items[index + kPrefetchAhead].movie_id);
    if (!filter.excluded.empty() && filter.excluded.contains(candidate.movie_id)) continue;
    if (std::binary_search(filter.also_excluded.begin(), filter.also_excluded.end(), candidate.movie_id))
      continue;
    const auto* movie = movies.Find(candidate.movie_id);
    if (movie == nullptr || movie->deleted) continue;
    if (filter.tier_bit != 0 && (movie->tiers & filter.tier_bit) == 0) continue;
    if (!wanted.empty() && std::none_of(movie->genre_ids.begin(), movie->genre_ids.end(), is_wanted))
      continue;
    const Selected item{&candidate, movie};
    if (kept.size() <= filter.limit) kept.push_back(item);  // for the short-list case below
    if (!filter.diversify) {
      selected.push_back(item);
      continue;
    }
    bool over = false;
    for (const auto genre : movie->genre_ids) {
      if (is_wanted(genre)) continue;
      const auto* count = count_of(genre);
      if (count != nullptr && *count >= cap) over = true;
    }
    if (over) {
      deferred.push_back(item);
      continue;
    }
    for (const auto genre : movie->genre_ids) {
      if (auto* count = count_of(genre))
        ++*count;
      else
        per_genre.emplace_back(genre, 1);
    }
    selected.push_back(item);
  }
  if (selected.size() < filter.limit && kept.size() <= filter.limit) {
    // The whole list passed with room to spare: nothing to diversify, keep the ranking.
    kept.resize(std::min(kept.size(), filter.limit));
    return kept;
  }
  for (const auto& item : deferred) {
    if (selected.size() == filter.limit) break;
    selected.push_back(item);
  }
  return selected;
}

bool MayHaveMore(const CandidateList& list, std::size_t selected, const ReadFilter& filter,
                 std::size_t candidate_limit) {
  return selected < filter.limit && list.items.size() >= candidate_limit;
}

std::string ReasonText(const Candidate& candidate, std::string_view anchor,
                       const catalog::MovieSnapshot& movies) {
  auto title = [&](std::string_view movie_id) -> std::string_view {
    std::int64_t id = 0;
    std::from_chars(movie_id.data(), movie_id.data() + movie_id.size(), id);
    const auto* movie = movies.Find(id);
    return movie != nullptr ? std::string_view(movie->title) : std::string_view();
  };
  switch (candidate.reason) {
    case Reason::kBecauseYouWatched:
      if (auto t = title(anchor); !t.empty()) return Concat("because you watched ", t);
      break;
    case Reason::kPopularInGenre:
      return Concat("popular in ", anchor);
    case Reason::kNewInYourGenres:
      return Concat("new in ", anchor);
    case Reason::kMatchesYourGenres:
      return Concat("matches your interest in ", anchor);
    case Reason::kTrendingNow:
      return anchor.empty() ? std::string("trending now") : Concat("trending in ", anchor);
    case Reason::kSimilarTo:
      if (auto t = title(anchor); !t.empty()) return Concat("similar to ", t);
      break;
    case Reason::kForYou:
      break;
  }
  return "picked for you";
}

}  // namespace cinerec::recommend
