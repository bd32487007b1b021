#include "recommend/candidate_builder.h"

#include <algorithm>
#include <unordered_map>

#include "catalog/movie_directory.h"

namespace cinerec::recommend {
namespace {

Source FromModel(ml::ScoreSource source) {
  switch (source) {
    case ml::ScoreSource::kPersonal:
      return Source::kPersonal;
    case ml::ScoreSource::kFoldIn:
      return Source::kFoldIn;
    case ml::ScoreSource::kContent:
      return Source::kContent;
    case ml::ScoreSource::kPopularity:
      break;
  }
  return Source::kPopular;
}

bool HasAnyGenre(const catalog::MovieInfo& movie, const std::vector<std::string>& genres) {
  for (const auto& genre : genres)
    if (std::find(movie.genres.begin(), movie.genres.end(), genre) != movie.genres.end()) return true;
  return false;
}

std::string FirstSharedGenre(const catalog::MovieInfo& movie, const std::vector<std::string>& genres) {
  for (const auto& genre : genres)
    if (std::find(movie.genres.begin(), movie.genres.end(), genre) != movie.genres.end()) return genre;
  return {};
}

struct Scored {
  float score;
  std::int64_t movie_id;
  const catalog::MovieInfo* info;
  bool outside;
};

// Best first; equal scores by movie id, so a ranking never depends on the order of evaluation.
bool Better(const Scored& a, const Scored& b) {
  return a.score != b.score ? a.score > b.score : a.movie_id < b.movie_id;
}

}  // namespace

OutsideMovies FindOutsideMovies(const ServingModel& model, const catalog::MovieSnapshot& movies) {
  OutsideMovies out;
  for (const auto& movie : movies.movies()) {
    if (movie.deleted || model.item_ids().Find(movie.id)) continue;
    ml::MovieContent content;
    content.genres = movie.genres;
    content.text = movie.title;
    out.ids.push_back(movie.id);
    out.movies.push_back(model.PrepareOutsideMovie(content));
  }
  return out;
}

CandidateList BuildCandidates(const BuildInput& input) {
  const ServingModel& model = *input.model;
  const ViewerFacts& facts = *input.facts;
  const catalog::MovieSnapshot& movies = *input.movies;

  std::vector<float> scores(static_cast<std::size_t>(model.items()));
  static const OutsideMovies kNone;
  const OutsideMovies& outside = input.outside != nullptr ? *input.outside : kNone;
  std::vector<float> outside_scores(outside.movies.size());
  const ml::ScoreSource model_source =
      model.ScoreViewer(facts.profile, scores, outside.movies, outside_scores);
  CandidateList list;
  list.model_version = model.version();
  list.source = FromModel(model_source);

  auto eligible = [&](std::int64_t movie_id) -> const catalog::MovieInfo* {
    if (facts.excluded.contains(movie_id)) return nullptr;
    const auto* info = movies.Find(movie_id);
    if (info == nullptr || info->deleted) return nullptr;
    if (input.only_genres != nullptr && !HasAnyGenre(*info, *input.only_genres)) return nullptr;
    return info;
  };

  std::vector<Scored> scored;
  scored.reserve(scores.size());
  for (std::int32_t row = 0; row < model.items(); ++row) {
    const std::int64_t movie_id = model.item_ids().Id(row);
    if (const auto* info = eligible(movie_id))
      scored.push_back({scores[static_cast<std::size_t>(row)], movie_id, info, false});
  }
  // Movies added after training compete on the same scale, through their content, once the viewer has a
  // taste (with popularity alone they would score nothing).
  if (model_source != ml::ScoreSource::kPopularity) {
    for (std::size_t i = 0; i < outside.ids.size(); ++i)
      if (const auto* info = eligible(outside.ids[i]))
        scored.push_back({outside_scores[i], outside.ids[i], info, true});
  }

  const std::size_t keep = std::min(input.max_candidates, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(keep), scored.end(), Better);
  scored.resize(keep);

  // "Because you watched X": the recent positive whose neighbour list holds the candidate most strongly.
  std::unordered_map<std::int32_t, std::pair<float, std::int64_t>> anchors;  // item row -> (similarity, X)
  if (list.source == Source::kPersonal || list.source == Source::kFoldIn) {
    const std::size_t count = std::min(input.max_anchors, facts.positives.size());
    for (std::size_t i = 0; i < count; ++i) {
      const auto row = model.item_ids().Find(facts.positives[i]);
      if (!row) continue;
      const auto ids = model.NeighborIds(*row);
      const auto similarity = model.NeighborScores(*row);
      for (std::size_t k = 0; k < ids.size() && k < similarity.size(); ++k) {
        if (ids[k] < 0) break;
        auto [it, added] = anchors.try_emplace(ids[k], similarity[k], facts.positives[i]);
        if (!added && similarity[k] > it->second.first) it->second = {similarity[k], facts.positives[i]};
      }
    }
  }

  list.items.reserve(scored.size());
  for (const auto& s : scored) {
    Candidate item;
    item.movie_id = s.movie_id;
    item.score = s.score;
    item.source = s.outside ? Source::kContent : list.source;
    const std::string first_genre = s.info->genres.empty() ? std::string() : s.info->genres.front();
    if (s.outside) {
      const auto shared = FirstSharedGenre(*s.info, facts.profile.onboarding_genres);
      item.reason = Reason::kNewInYourGenres;
      item.anchor = shared.empty() ? first_genre : shared;
    } else if (list.source == Source::kContent) {
      item.reason = Reason::kMatchesYourGenres;
      const auto shared = FirstSharedGenre(*s.info, facts.profile.onboarding_genres);
      item.anchor = shared.empty() ? first_genre : shared;
    } else if (list.source == Source::kPopular) {
      item.reason = Reason::kPopularInGenre;
      item.anchor = first_genre;
    } else if (const auto row = model.item_ids().Find(s.movie_id); row && anchors.contains(*row)) {
      item.reason = Reason::kBecauseYouWatched;
      item.anchor = std::to_string(anchors.at(*row).second);
    } else {
      item.reason = Reason::kForYou;
    }
    if (item.anchor.empty()) item.reason = Reason::kForYou;  // a movie without genres: nothing to name
    list.items.push_back(std::move(item));
  }
  return list;
}

CandidateList BuildSimilar(const ServingModel& model, std::int64_t movie_id,
                           const catalog::MovieSnapshot& movies) {
  CandidateList list;
  list.model_version = model.version();
  list.source = Source::kSimilar;
  const auto row = model.item_ids().Find(movie_id);
  if (!row) return list;
  const auto ids = model.NeighborIds(*row);
  const auto similarity = model.NeighborScores(*row);
  for (std::size_t k = 0; k < ids.size() && k < similarity.size(); ++k) {
    if (ids[k] < 0) break;
    const std::int64_t neighbour = model.item_ids().Id(ids[k]);
    const auto* info = movies.Find(neighbour);
    if (info == nullptr || info->deleted || neighbour == movie_id) continue;
    list.items.push_back(
        {neighbour, similarity[k], Source::kSimilar, Reason::kSimilarTo, std::to_string(movie_id)});
  }
  return list;
}

}  // namespace cinerec::recommend
