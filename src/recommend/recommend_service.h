#pragma once
// RecommendService: the use cases of the recommendation role, without HTTP (services/recommend adapts it).
//
// Recommend (a viewer's list):
//   1. the viewer's variant (experiments.h) and its model (ModelRegistry, via `models`);
//   2. Redis (CandidateCache::Read): the cached list and the viewer's recent reactions and finished movies;
//   3. hit = a list of the variant's current model version in the current cache epoch; otherwise (miss) the
//      profile and history from PostgreSQL, BuildCandidates, store the list in Redis;
//   4. Select: the request's filters, the tier, deleted movies, recent reactions and finished movies,
//      diversification (the variant's rules); a genre filter that starves the cached list is answered by
//      scoring again restricted to those genres (not cached);
//   5. reasons, and the shown items to the ImpressionLog.
// Degraded modes (docs/recommendations.md): Redis down -> computed on every request (still 200);
// PostgreSQL down -> the cached list if any, else trending (else the model's popularity), `degraded`;
// no model -> trending (onboarding genres first: content-based cold start), never cached.
//
// Similar (a movie's neighbours): the model's item neighbours; for a signed-in viewer the same rules
// (tier, finished, liked or disliked, deleted); a movie the model does not know -> trending in its genre.
//
// Thread-safe: every dependency is; requests share nothing but them.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ml/signals.h"
#include "recommend/candidate_list.h"
#include "recommend/experiments.h"
#include "recommend/serving_model.h"

namespace cinerec::catalog {
class MovieDirectory;
class MovieSnapshot;
struct MovieInfo;
}  // namespace cinerec::catalog
namespace cinerec::accounts {
class UserAttributeCache;
}
namespace cinerec::collect {
class TrendingReader;
}

namespace cinerec::recommend {

class CandidateCache;
class HistorySource;
struct OutsideMovies;
struct Selected;
class ImpressionLog;
struct ViewerFacts;
struct ReadFilter;

inline constexpr std::size_t kMaxLimit = 100;

struct RecommendRequest {
  std::int64_t user_id = 0;
  std::size_t limit = 20;           // 1..kMaxLimit
  std::vector<std::string> genres;  // any of; names as the catalogue spells them
  std::unordered_set<std::int64_t> exclude;
};

struct SimilarRequest {
  std::int64_t movie_id = 0;
  std::size_t limit = 20;
  std::optional<std::int64_t> viewer;  // signed-in viewer: their rules apply
};

// One item of an answer. The views point into the catalogue snapshot and the list the answer was made
// from, which the result keeps alive (RecommendResult::movies, list): nothing is copied per item.
struct RecommendedItem {
  Candidate candidate;
  std::string_view anchor;          // the candidate's (CandidateList::AnchorOf)
  const catalog::MovieInfo* movie;  // title, genres
  std::string reason;
};

struct RecommendResult {
  std::string request_id;
  std::string model_version;  // "" when no model served it
  std::string variant;
  Source source = Source::kPersonal;
  std::string cache;  // "hit", "miss" or "bypass" (Redis unavailable)
  bool degraded = false;
  std::vector<std::string> degraded_reasons;  // e.g. "postgres unavailable: served the cached list"
  std::int64_t created_ms = 0;                // when the list was computed
  std::vector<RecommendedItem> items;
  // What `items` point into: the catalogue snapshot (also for its genre_names) and the list.
  std::shared_ptr<const catalog::MovieSnapshot> movies;
  std::shared_ptr<const CandidateList> list;
};

class RecommendService {
 public:
  // The model an experiment variant names ("LATEST" or a version); null when none is loaded.
  using ModelSource = std::function<std::shared_ptr<const ServingModel>(const std::string& model)>;
  struct Options {
    std::size_t candidates = 300;          // the cached list's length
    ml::SignalWeights signals;             // history -> cells, as training maps them
    std::function<std::int64_t()> now_ms;  // empty = system clock
  };
  struct Dependencies {
    ModelSource models;
    CandidateCache* cache = nullptr;
    HistorySource* history = nullptr;
    const catalog::MovieDirectory* movies = nullptr;
    accounts::UserAttributeCache* users = nullptr;
    collect::TrendingReader* trending = nullptr;
    ImpressionLog* impressions = nullptr;
  };
  // REQUIRES: every dependency set and outliving this.
  RecommendService(Dependencies dependencies, Experiments experiments, Options options);
  ~RecommendService();

  // Throws NotFound for an unknown user, StoreError when nothing at all can be served.
  RecommendResult Recommend(const RecommendRequest& request);
  // Throws NotFound for an unknown movie.
  RecommendResult Similar(const SimilarRequest& request);
  // The movies among `movie_ids` that the viewer must not be shown, by the rules of Recommend: finished,
  // liked or disliked (history and the last seconds' activity), not playable on their tier, deleted. For
  // lists made elsewhere (GET /v1/trending for a signed-in viewer). Never throws for a store that is down:
  // its part of the rules is left out (the tier from the attribute snapshot, free when unknown).
  std::unordered_set<std::int64_t> HiddenFor(std::int64_t user_id,
                                             const std::vector<std::int64_t>& movie_ids);

  // True when some catalogue movie has this genre (exact spelling). Throws StoreError before the catalogue
  // is loaded.
  bool IsKnownGenre(const std::string& genre);
  const Experiments& experiments() const { return experiments_; }

 private:
  struct OutsideCache;
  std::shared_ptr<const OutsideMovies> Outside(const std::shared_ptr<const ServingModel>& model,
                                               const std::shared_ptr<const catalog::MovieSnapshot>& movies);
  CandidateList Trending(const std::vector<std::string>& genres, std::size_t limit, bool cold_start);
  // A signed-in viewer's rules into `filter` (excluded movies, tier bit) for lists that are not theirs
  // (similar, trending); sets result->cache / degraded. Returns the tier.
  std::string ApplyViewerRules(std::int64_t viewer, ReadFilter& filter, RecommendResult& result);
  // The answer's items (with their reasons) and model fields from the selected part of `list`; the same
  // items to the impression log.
  // `list` gives the model fields; `owner`, the list `selected` points into (a restricted list, or `list`).
  void Deliver(const std::shared_ptr<const CandidateList>& list,
               const std::shared_ptr<const CandidateList>& owner, const std::vector<Selected>& selected,
               const std::shared_ptr<const catalog::MovieSnapshot>& movies, std::int64_t user_id,
               const std::string& tier, const std::string& country, RecommendResult& result);
  std::int64_t NowMs() const;

  Dependencies deps_;
  Experiments experiments_;
  Options options_;
  std::unique_ptr<OutsideCache> outside_;
  std::mutex genres_mutex_;
  const catalog::MovieSnapshot* genres_of_ = nullptr;         // GUARDED_BY(genres_mutex_)
  std::weak_ptr<const catalog::MovieSnapshot> genres_alive_;  // GUARDED_BY(genres_mutex_): see OutsideCache
  std::unordered_set<std::string> genres_;                    // GUARDED_BY(genres_mutex_)
};

std::string NewRequestId();

}  // namespace cinerec::recommend
