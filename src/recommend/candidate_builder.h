#pragma once
// Scoring on a cache miss: from a model and what is known of the viewer to an unfiltered, ranked
// CandidateList with a reason per item. Pure functions of their inputs (no store), so that the rules are
// unit-tested and the cache hit and miss paths rank alike.
//
// Candidates: every movie of the model plus the catalogue's movies added after training ("outside" the
// model, scored through their content when the viewer has a taste vector), minus the movies the viewer
// finished, liked or disliked and the deleted or unknown ones (and, when `only_genres` is given, movies of
// none of those genres). Tier and request filters are applied at read (list_filter.h), not here.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "recommend/candidate_list.h"
#include "recommend/serving_model.h"
#include "recommend/viewer_profile.h"

namespace cinerec::catalog {
class MovieSnapshot;
}

namespace cinerec::recommend {

// What is prepared once per (model, catalogue snapshot): the catalogue's movies the model was not trained on,
// ready for scoring (parallel arrays, because ServingModel::ScoreViewer takes a span of ml::OutsideMovie),
// and where each model row's movie is in the snapshot, so that building candidates needs no hash lookup
// per movie.
struct OutsideMovies {
  std::vector<std::int64_t> ids;
  std::vector<ml::OutsideMovie> movies;
  // Per item row of the model: the index of its movie in MovieSnapshot::movies(), -1 when the catalogue
  // does not have it. BuildCandidates checks the id at that index before using it (a snapshot other than
  // the one this was made for falls back to MovieSnapshot::Find).
  std::vector<std::int32_t> catalogue_index;
  std::vector<std::uint8_t> live;  // per item row: 1 = in that snapshot and not deleted
};

// The catalogue's live movies that `model` does not know, prepared from their genres and title, and the
// model rows' catalogue index.
OutsideMovies FindOutsideMovies(const ServingModel& model, const catalog::MovieSnapshot& movies);

struct BuildInput {
  const ServingModel* model = nullptr;                    // REQUIRED
  const ViewerFacts* facts = nullptr;                     // REQUIRED
  const catalog::MovieSnapshot* movies = nullptr;         // REQUIRED
  const OutsideMovies* outside = nullptr;                 // nullptr = none
  const std::vector<std::string>* only_genres = nullptr;  // nullptr = every genre
  std::size_t max_candidates = 300;
  std::size_t max_anchors = 50;  // most recent positives searched for "because you watched"
};

// model_version, source and items are set; variant, created_ms and epoch are the caller's.
CandidateList BuildCandidates(const BuildInput& input);

// Neighbours of `movie_id` in the model, best first (deleted and unknown movies skipped), source kSimilar
// and reason kSimilarTo. Empty when the model does not know the movie.
CandidateList BuildSimilar(const ServingModel& model, std::int64_t movie_id,
                           const catalog::MovieSnapshot& movies);

}  // namespace cinerec::recommend
