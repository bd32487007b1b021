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
  std::uint16_t anchor = 0;  // index into its list's anchors (CandidateList::AnchorOf); 0 = none

  bool operator==(const Candidate&) const = default;
};

struct CandidateList {
  std::string model_version;  // "" when no model was loaded (trending)
  std::string variant;
  Source source = Source::kPersonal;
  std::int64_t created_ms = 0;   // Unix ms
  std::int64_t epoch = 0;        // the cache epoch it was computed in (candidate_cache.h)
  std::vector<Candidate> items;  // best first
  // What the items' reasons name (see Reason), each text once; [0] is "" (none). A list names few of them
  // (the viewer's genres, a handful of watched movies), so 16-byte items with an index keep a viewer's
  // list ~3x smaller than a string per item, which matters for the lists held in memory (candidate_cache.h).
  std::vector<std::string> anchors{std::string()};

  std::string_view AnchorOf(const Candidate& candidate) const { return anchors[candidate.anchor]; }
  // The index of `text` in anchors, added if new; 0 for "" (and for any text past the 65,535th).
  std::uint16_t Anchor(std::string_view text);
  void Add(std::int64_t movie_id, float score, Source item_source, Reason reason,
           std::string_view anchor = {}) {
    items.push_back({movie_id, score, item_source, reason, Anchor(anchor)});
  }

  bool operator==(const CandidateList&) const = default;
};

std::string Encode(const CandidateList& list);
CandidateList Decode(std::string_view text);

}  // namespace cinerec::recommend
