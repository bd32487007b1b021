#include "recommend/recommend_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <random>

#include "accounts/user_attribute_cache.h"
#include "catalog/movie_directory.h"
#include "collect/trending.h"
#include "common/errors.h"
#include "recommend/candidate_builder.h"
#include "recommend/candidate_cache.h"
#include "recommend/impression_log.h"
#include "recommend/list_filter.h"
#include "recommend/viewer_history.h"
#include "recommend/viewer_profile.h"

namespace cinerec::recommend {

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", generator(), generator());
}

// The catalogue movies outside a model, embedded once per (model, catalogue snapshot).
struct RecommendService::OutsideCache {
  std::mutex mutex;
  const ServingModel* model = nullptr;  // GUARDED_BY(mutex): identity of what `movies` was computed for
  const catalog::MovieSnapshot* snapshot = nullptr;
  std::weak_ptr<const ServingModel> model_alive;
  // The addresses alone could match a newer object allocated where a freed one was: these say it is the same.
  std::weak_ptr<const catalog::MovieSnapshot> snapshot_alive;
  std::shared_ptr<const OutsideMovies> movies;
};

RecommendService::RecommendService(Dependencies dependencies, Experiments experiments, Options options)
    : deps_(std::move(dependencies)),
      experiments_(std::move(experiments)),
      options_(std::move(options)),
      outside_(std::make_unique<OutsideCache>()) {}

RecommendService::~RecommendService() = default;

std::int64_t RecommendService::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<const OutsideMovies> RecommendService::Outside(
    const std::shared_ptr<const ServingModel>& model,
    const std::shared_ptr<const catalog::MovieSnapshot>& movies) {
  std::lock_guard lock(outside_->mutex);
  if (outside_->movies == nullptr || outside_->model != model.get() || outside_->snapshot != movies.get()
      || outside_->model_alive.expired() || outside_->snapshot_alive.expired()) {
    // Recomputed when the model or the catalogue snapshot changes (every directory refresh): movies added
    // after training are few, so this is cheap next to the refresh itself.
    outside_->movies = std::make_shared<const OutsideMovies>(FindOutsideMovies(*model, *movies));
    outside_->model = model.get();
    outside_->model_alive = model;
    outside_->snapshot = movies.get();
    outside_->snapshot_alive = movies;
  }
  return outside_->movies;
}

bool RecommendService::IsKnownGenre(const std::string& genre) {
  const auto movies = deps_.movies->snapshot();
  if (movies == nullptr) throw StoreError("postgres", "the movie catalogue is not loaded yet");
  std::lock_guard lock(genres_mutex_);
  if (genres_of_ != movies.get() || genres_alive_.expired()) {
    genres_.clear();
    for (const auto& movie : movies->movies())
      genres_.insert(movie.genres.begin(), movie.genres.end());
    genres_of_ = movies.get();
    genres_alive_ = movies;
  }
  return genres_.contains(genre);
}

CandidateList RecommendService::Trending(const std::vector<std::string>& genres, std::size_t limit,
                                         bool cold_start) {
  CandidateList list;
  list.source = cold_start ? Source::kColdStart : Source::kTrending;
  list.created_ms = NowMs();
  const std::size_t want =
      std::min<std::size_t>(collect::kMaxTrendingLimit, std::max<std::size_t>(limit * 3, 50));
  std::vector<std::vector<collect::TrendingItem>> per_genre;
  if (genres.empty()) {
    per_genre.push_back(deps_.trending->Top({"", 24, static_cast<int>(want)}));
  } else {
    for (const auto& genre : genres)
      per_genre.push_back(deps_.trending->Top({genre, 24, static_cast<int>(want)}));
  }
  // Round robin over the genres, so that each chosen genre is represented.
  std::unordered_set<std::int64_t> seen;
  for (std::size_t rank = 0;; ++rank) {
    bool any = false;
    for (std::size_t g = 0; g < per_genre.size(); ++g) {
      if (rank >= per_genre[g].size()) continue;
      any = true;
      const auto& item = per_genre[g][rank];
      if (!seen.insert(item.movie_id).second) continue;
      list.Add(item.movie_id, static_cast<float>(item.score), list.source,
               cold_start ? Reason::kMatchesYourGenres : Reason::kTrendingNow,
               genres.empty() ? std::string_view() : std::string_view(genres[g]));
    }
    if (!any) break;
  }
  return list;
}

RecommendResult RecommendService::Recommend(const RecommendRequest& request) {
  RecommendResult result;
  result.request_id = NewRequestId();
  const Variant& variant = experiments_.Assign(request.user_id);
  result.variant = variant.name;
  const auto model = deps_.models(variant.model);
  const auto movies = deps_.movies->snapshot();
  if (movies == nullptr) throw StoreError("postgres", "the movie catalogue is not loaded yet");

  // 1. Redis: the cached list and the recent state (shared, not copied: see CachedUserState).
  std::shared_ptr<const CachedUserState> state;
  std::int64_t epoch = 0;
  try {
    state = deps_.cache->Read(request.user_id);
    epoch = deps_.cache->Epoch();
    result.cache = "miss";
  } catch (const StoreError& e) {
    result.cache = "bypass";
    spdlog::debug("recommend: Redis unavailable ({}); computing", e.what());
  }

  ReadFilter filter;
  filter.limit = request.limit;
  filter.genres = request.genres;
  filter.excluded = request.exclude;
  filter.diversify = variant.diversify;
  if (state) filter.also_excluded = state->hidden;  // `state` outlives every Select below

  const bool usable_hit = state && state->list && model && state->list->model_version == model->version()
                          && state->list->variant == variant.name;
  std::shared_ptr<const CandidateList> list;
  std::optional<ViewerHistory> history;
  std::optional<ViewerFacts> facts;
  std::string tier;
  std::string country;

  if (usable_hit) {
    list = state->list;
    result.cache = "hit";
    try {
      const auto attributes = deps_.users->Get({request.user_id});
      tier = attributes.at(request.user_id).tier;
      country = attributes.at(request.user_id).country;
    } catch (const StoreError&) {
      const auto cached = deps_.users->GetCached({request.user_id});
      if (const auto it = cached.find(request.user_id); it != cached.end()) {
        tier = it->second.tier;
        country = it->second.country;
      } else {
        tier = "free";  // the most restrictive tier until PostgreSQL answers
        result.degraded = true;
        result.degraded_reasons.push_back("postgres unavailable: the subscription tier is assumed free");
      }
    }
  } else {
    try {
      history = deps_.history->Load(request.user_id);
    } catch (const StoreError& e) {
      result.degraded = true;
      if (state && state->list) {
        list = state->list;
        result.degraded_reasons.push_back("postgres unavailable: served the cached list");
      } else {
        result.degraded_reasons.push_back("postgres unavailable: served trending");
      }
      const auto cached = deps_.users->GetCached({request.user_id});
      const auto it = cached.find(request.user_id);
      tier = it != cached.end() && it->second.exists ? it->second.tier : "free";
      country = it != cached.end() ? it->second.country : "";
    }
    if (history) {
      if (!history->exists) throw NotFound(fmt::format("user {} does not exist", request.user_id));
      tier = history->tier;
      try {
        const auto attributes = deps_.users->GetCached({request.user_id});
        if (const auto it = attributes.find(request.user_id); it != attributes.end())
          country = it->second.country;
      } catch (const std::exception&) {
      }
      facts =
          BuildViewerFacts(request.user_id, *history, model ? &model->item_ids() : nullptr, options_.signals);
      filter.excluded.insert(facts->excluded.begin(), facts->excluded.end());
      if (model) {
        const auto outside = Outside(model, movies);
        BuildInput input;
        input.model = model.get();
        input.facts = &*facts;
        input.movies = movies.get();
        input.outside = outside.get();
        input.max_candidates = options_.candidates;
        auto built = BuildCandidates(input);
        built.variant = variant.name;
        built.created_ms = NowMs();
        built.epoch = epoch;
        list = std::make_shared<const CandidateList>(std::move(built));
        if (state) {
          try {
            deps_.cache->Write(request.user_id, *list);
          } catch (const StoreError& e) {
            spdlog::debug("recommend: list of user {} not cached: {}", request.user_id, e.what());
          }
        }
      } else {
        list = std::make_shared<const CandidateList>(
            Trending(history->onboarding_genres, request.limit, !history->onboarding_genres.empty()));
      }
    } else if (list == nullptr || list->items.empty()) {
      try {
        list = std::make_shared<const CandidateList>(Trending({}, request.limit, false));
      } catch (const StoreError&) {
        if (!model) throw;  // nothing at all to serve: 503
        // Redis is down too: the model's popularity, the last thing that needs no store.
        ViewerFacts none;
        BuildInput input;
        input.model = model.get();
        input.facts = &none;
        input.movies = movies.get();
        input.max_candidates = options_.candidates;
        list = std::make_shared<const CandidateList>(BuildCandidates(input));
        result.degraded_reasons.back() = "postgres and redis unavailable: served the model's popularity";
      }
    }
  }
  if (list == nullptr) list = std::make_shared<const CandidateList>();

  filter.tier_bit = TierBit(tier);
  auto selected = Select(*list, *movies, filter);
  std::shared_ptr<const CandidateList> owner = list;  // the list `selected` points into
  // A genre filter may starve a list cut at the candidate limit: score again within those genres.
  if (!request.genres.empty() && model && MayHaveMore(*list, selected.size(), filter, options_.candidates)) {
    try {
      if (!history) {
        history = deps_.history->Load(request.user_id);
        facts = BuildViewerFacts(request.user_id, *history, &model->item_ids(), options_.signals);
        filter.excluded.insert(facts->excluded.begin(), facts->excluded.end());
      }
      if (history->exists) {
        BuildInput input;
        input.model = model.get();
        input.facts = &*facts;
        input.movies = movies.get();
        const auto outside = Outside(model, movies);
        input.outside = outside.get();
        input.only_genres = &request.genres;
        // Not cached: room for everything the filters may still drop, so the page fills when it can.
        input.max_candidates = options_.candidates + filter.excluded.size() + request.limit;
        auto restricted = BuildCandidates(input);
        restricted.variant = variant.name;
        restricted.created_ms = NowMs();
        owner = std::make_shared<const CandidateList>(std::move(restricted));
        selected = Select(*owner, *movies, filter);
      }
    } catch (const StoreError&) {
      // Keep what the cached list gave.
    }
  }

  Deliver(list, owner, selected, movies, request.user_id, tier, country, result);
  return result;
}

void RecommendService::Deliver(const std::shared_ptr<const CandidateList>& list,
                               const std::shared_ptr<const CandidateList>& owner,
                               const std::vector<Selected>& selected,
                               const std::shared_ptr<const catalog::MovieSnapshot>& movies,
                               std::int64_t user_id, const std::string& tier, const std::string& country,
                               RecommendResult& result) {
  result.model_version = list->model_version;
  result.source = list->source;
  result.created_ms = list->created_ms;
  result.list = owner;
  result.movies = movies;
  ImpressionBatch batch;
  batch.request_id = result.request_id;
  batch.user_id = user_id;
  batch.time_ms = NowMs();
  batch.model_version = result.model_version;
  batch.variant = result.variant;
  batch.user_tier = tier;
  batch.user_country = country;
  batch.genre_names = &movies->genre_names();
  result.items.reserve(selected.size());
  batch.items.reserve(selected.size());
  for (const auto& s : selected) {
    const auto anchor = owner->AnchorOf(*s.candidate);
    result.items.push_back({*s.candidate, anchor, s.movie, ReasonText(*s.candidate, anchor, *movies)});
    batch.items.push_back(
        {s.candidate->movie_id, s.candidate->score, ToString(s.candidate->source), s.movie->genre_ids});
  }
  deps_.impressions->Record(batch);
}

std::string RecommendService::ApplyViewerRules(std::int64_t viewer, ReadFilter& filter,
                                               RecommendResult& result) {
  std::string tier;
  try {
    const auto state = deps_.cache->Read(viewer);
    filter.excluded.insert(state->hidden.begin(), state->hidden.end());
    result.cache = "hit";
  } catch (const StoreError&) {
    result.cache = "bypass";
  }
  try {
    const auto history = deps_.history->Load(viewer);
    if (history.exists) {
      tier = history.tier;
      const auto facts = BuildViewerFacts(viewer, history, nullptr, options_.signals);
      filter.excluded.insert(facts.excluded.begin(), facts.excluded.end());
    }
  } catch (const StoreError&) {
    result.degraded = true;
    result.degraded_reasons.push_back("postgres unavailable: only recent activity filtered");
    const auto cached = deps_.users->GetCached({viewer});
    const auto it = cached.find(viewer);
    tier = it != cached.end() && it->second.exists ? it->second.tier : "free";
  }
  filter.tier_bit = TierBit(tier.empty() ? "free" : tier);
  return tier;
}

std::unordered_set<std::int64_t> RecommendService::HiddenFor(std::int64_t user_id,
                                                             const std::vector<std::int64_t>& movie_ids) {
  ReadFilter filter;
  RecommendResult unused;
  ApplyViewerRules(user_id, filter, unused);
  const auto movies = deps_.movies->snapshot();
  std::unordered_set<std::int64_t> hidden;
  for (const auto id : movie_ids) {
    const auto* movie = movies ? movies->Find(id) : nullptr;
    if (filter.excluded.contains(id)
        || (movie != nullptr && (movie->deleted || (movie->tiers & filter.tier_bit) == 0)))
      hidden.insert(id);
  }
  return hidden;
}

RecommendResult RecommendService::Similar(const SimilarRequest& request) {
  RecommendResult result;
  result.request_id = NewRequestId();
  const auto movies = deps_.movies->snapshot();
  if (movies == nullptr) throw StoreError("postgres", "the movie catalogue is not loaded yet");
  const auto* movie = movies->Find(request.movie_id);
  if (movie == nullptr || movie->deleted)
    throw NotFound(fmt::format("movie {} does not exist", request.movie_id));

  const Variant& variant = experiments_.Assign(request.viewer.value_or(0));
  result.variant = variant.name;
  const auto model = deps_.models(variant.model);

  ReadFilter filter;
  filter.limit = request.limit;
  filter.diversify = false;  // neighbours are meant to be alike
  filter.excluded.insert(request.movie_id);
  filter.tier_bit = 0;
  std::string tier, country;
  if (request.viewer) tier = ApplyViewerRules(*request.viewer, filter, result);

  auto list = std::make_shared<CandidateList>();
  if (model) *list = BuildSimilar(*model, request.movie_id, *movies);
  if (list->items.empty()) {
    // A movie the model does not know (new, or no model yet): what is trending in its genre.
    *list = Trending(
        movie->genres.empty() ? std::vector<std::string>{} : std::vector<std::string>{movie->genres.front()},
        request.limit, false);
    list->source = Source::kTrending;
    for (auto& item : list->items) {
      item.source = Source::kTrending;
      item.reason = Reason::kTrendingNow;
    }
  }
  list->created_ms = NowMs();
  auto selected = Select(*list, *movies, filter);

  std::shared_ptr<const CandidateList> shared = std::move(list);
  Deliver(shared, shared, selected, movies, request.viewer.value_or(0), tier, country, result);
  return result;
}

}  // namespace cinerec::recommend
