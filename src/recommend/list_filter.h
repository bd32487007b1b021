#pragma once
// The read side of a CandidateList: the request's filters and the rules that change between two requests
// (the viewer's recent reactions and finished movies from Redis, the tier, deleted movies), then
// diversification. Cache hits and misses both go through Select, so they rank alike.
//
// Diversification (genre cap): walking the list best first, an item is deferred while one of its genres
// already fills 60% of the page (at least 3 items) (genres the request asked for are not capped: every item
// has them); deferred items fill the remaining places in their order, so a short list is never emptier for
// it. So the top of the list keeps its order unless one genre would take over the page.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "recommend/candidate_list.h"

namespace cinerec::catalog {
class MovieSnapshot;
struct MovieInfo;
}  // namespace cinerec::catalog

namespace cinerec::recommend {

// Subscription tiers as MovieInfo::tiers bits; 0 for an unknown tier name.
std::uint8_t TierBit(std::string_view tier);

struct ReadFilter {
  std::size_t limit = 20;
  std::vector<std::string> genres;            // keep movies of any of these; empty = all
  std::unordered_set<std::int64_t> excluded;  // the request's exclude=, finished, liked and disliked
  // More excluded movies, sorted, shared rather than copied into `excluded`: the viewer's recent reactions
  // and finished movies as the cache holds them (CachedUserState::hidden).
  std::span<const std::int64_t> also_excluded;
  std::uint8_t tier_bit = 1;  // TierBit(viewer's tier); 0 = no tier check (admin view)
  bool diversify = true;
};

struct Selected {
  const Candidate* candidate = nullptr;
  const catalog::MovieInfo* movie = nullptr;
};

// REQUIRES: `list` and `movies` outlive the result.
std::vector<Selected> Select(const CandidateList& list, const catalog::MovieSnapshot& movies,
                             const ReadFilter& filter);

// True when Select may have been starved by the filters: fewer than `limit` items came out of a list that
// was cut at the candidate limit (the caller then scores again with the genre restriction).
bool MayHaveMore(const CandidateList& list, std::size_t selected, const ReadFilter& filter,
                 std::size_t candidate_limit);

// "because you watched Heat", "popular in Drama", ... (titles from `movies`); `anchor` is the candidate's
// (CandidateList::AnchorOf).
std::string ReasonText(const Candidate& candidate, std::string_view anchor,
                       const catalog::MovieSnapshot& movies);

}  // namespace cinerec::recommend
