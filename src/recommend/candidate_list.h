#pragma once
// CandidateList: a viewer's ranked candidates as cached in Redis (RedisKeys::UserRecommendations) — the
// unfiltered top few hundred of one model version and variant, with why each is there. Filters (genre,
// exclude, tier, deleted, recent reactions, finished) are applied on every read (list_filter.h), so one
// list serves every request until it expires or is invalidated.
//
// Encoding (Encode/Decode): compact text, one header line then one line per item:
//   cr1 <model_version> <variant> <source> <created_ms> <epoch> <count>
//   <movie_id> <score> <source> <reason> <anchor>
// Model versions and variant names never contain spaces (checked); `anchor` is a movie id, a genre name
// percent-encoded, or "-". Decode throws std::invalid_argument on anything else (the caller then treats it
// as a miss).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec::recommend {

// Where a list or an item comes from; the values are ClickHouse's recommendation_impressions.source enum.
enum class Source : std::uint8_t { kPersonal, kFoldIn, kContent, kColdStart, kTrending, kSimilar, kPopular };
std::string_view ToString(Source source);
Source SourceFromString(std::string_view text);  // throws std::invalid_argument

// Why an item is recommended; rendered into text with titles at read time (reasons.h).
enum class Reason : std::uint8_t {
  kBecauseYouWatched,  // anchor: the movie id from the viewer's history
  kPopularInGenre,     // anchor: genre name
  kNewInYourGenres,    // anchor: genre name; a movie added after training, scored by its content
  kMatchesYourGenres,  // anchor: genre name (onboarding genres)
  kTrendingNow,
  kSimilarTo,  // anchor: the movie the similar list is for
  kForYou,
};
std::string_view ToString(Reason reason);
Reason ReasonFromString(std::string_view text);  // throws std::invalid_argument

struct Candidate {
  std::int64_t movie_id = 0;
  float score = 0;
  Source source = Source::kPersonal;
  Reason reason = Reason::kForYou;
  std::string anchor;  // see Reason; empty when none

  bool operator==(const Candidate&) const = default;
};

struct CandidateList {
  std::string model_version;  // "" when no model was loaded (trending)
  std::string variant;
  Source source = Source::kPersonal;
  std::int64_t created_ms = 0;   // Unix ms
  std::int64_t epoch = 0;        // the cache epoch it was computed in (candidate_cache.h)
  std::vector<Candidate> items;  // best first

  bool operator==(const CandidateList&) const = default;
};

std::string Encode(const CandidateList& list);
CandidateList Decode(std::string_view text);

}  // namespace cinerec::recommend
