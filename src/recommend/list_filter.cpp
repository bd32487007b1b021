#include "recommend/list_filter.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "catalog/movie_directory.h"

namespace cinerec::recommend {

std::uint8_t TierBit(std::string_view tier) {
  if (tier == "free") return 1;
  if (tier == "basic") return 2;
  if (tier == "premium") return 4;
  return 0;
}

std::vector<Selected> Select(const CandidateList& list, const catalog::MovieSnapshot& movies,
                             const ReadFilter& filter) {
  std::vector<Selected> kept;
  for (const auto& candidate : list.items) {
    if (filter.excluded.contains(candidate.movie_id)) continue;
    const auto* movie = movies.Find(candidate.movie_id);
    if (movie == nullptr || movie->deleted) continue;
    if (filter.tier_bit != 0 && (movie->tiers & filter.tier_bit) == 0) continue;
    if (!filter.genres.empty()) {
      const bool match = std::any_of(filter.genres.begin(), filter.genres.end(), [&](const std::string& g) {
        return std::find(movie->genres.begin(), movie->genres.end(), g) != movie->genres.end();
      });
      if (!match) continue;
    }
    kept.push_back({&candidate, movie});
    // Enough to fill the page even if every deferred item is needed: no need to read further.
    if (!filter.diversify && kept.size() == filter.limit) break;
  }
  if (!filter.diversify || kept.size() <= filter.limit) {
    if (kept.size() > filter.limit) kept.resize(filter.limit);
    return kept;
  }

  // 60% of the page (at least 3): a clear taste keeps most of the page, one genre never takes all of it.
  const std::size_t cap = std::max<std::size_t>(3, (filter.limit * 3 + 4) / 5);
  std::map<std::string, std::size_t, std::less<>> per_genre;
  std::vector<Selected> selected, deferred;
  for (const auto& item : kept) {
    if (selected.size() == filter.limit) break;
    bool over = false;
    for (const auto& genre : item.movie->genres) {
      if (std::find(filter.genres.begin(), filter.genres.end(), genre) != filter.genres.end()) continue;
      const auto it = per_genre.find(genre);
      if (it != per_genre.end() && it->second >= cap) over = true;
    }
    if (over) {
      deferred.push_back(item);
      continue;
    }
    for (const auto& genre : item.movie->genres)
      ++per_genre[genre];
    selected.push_back(item);
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

std::string ReasonText(const Candidate& candidate, const catalog::MovieSnapshot& movies) {
  auto title = [&](const std::string& anchor) -> std::string {
    std::int64_t id = 0;
    std::from_chars(anchor.data(), anchor.data() + anchor.size(), id);
    const auto* movie = movies.Find(id);
    return movie != nullptr ? movie->title : std::string();
  };
  switch (candidate.reason) {
    case Reason::kBecauseYouWatched:
      if (auto t = title(candidate.anchor); !t.empty()) return "because you watched " + t;
      break;
    case Reason::kPopularInGenre:
      return "popular in " + candidate.anchor;
    case Reason::kNewInYourGenres:
      return "new in " + candidate.anchor;
    case Reason::kMatchesYourGenres:
      return "matches your interest in " + candidate.anchor;
    case Reason::kTrendingNow:
      return candidate.anchor.empty() ? "trending now" : "trending in " + candidate.anchor;
    case Reason::kSimilarTo:
      if (auto t = title(candidate.anchor); !t.empty()) return "similar to " + t;
      break;
    case Reason::kForYou:
      break;
  }
  return "picked for you";
}

}  // namespace cinerec::recommend
