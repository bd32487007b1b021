#include "recommend/candidate_builder.h"

#include <algorithm>
#include <span>
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

// A view into `genres` (which outlives the caller's use).
std::string_view FirstSharedGenre(const catalog::MovieInfo& movie, const std::vector<std::string>& genres) {
  for (const auto& genre : genres)
    if (std::find(movie.genres.begin(), movie.genres.end(), genre) != movie.genres.end()) return genre;
  return {};
}

struct Scored {
  float score;
  std::int64_t movie_id;
  const catalog::MovieInfo* info;
  std::int32_t row;  // item row of the model, -1 for a movie outside it
  bool outside;
};

// Best first; equal scores by movie id, so a ranking never depends on the order of evaluation.
bool Better(const Scored& a, const Scored& b) {
  return a.score != b.score ? a.score > b.score : a.movie_id < b.movie_id;
}

// Per-thread score arrays, reused from request to request (fresh 60,000-float arrays per miss were fresh
// pages from the kernel each time).
std::span<float> ThreadScores(std::size_t items, std::size_t outside) {
  thread_local std::vector<float> buffer;
  if (buffer.size() < items + outside) buffer.resize(items + outside);
  return {buffer.data(), items + outside};
}

}  // namespace

OutsideMovies FindOutsideMovies(const ServingModel& model, const catalog::MovieSnapshot& movies) {
  OutsideMovies out;
  out.catalogue_index.assign(static_cast<std::size_t>(model.items()), -1);
  out.live.assign(static_cast<std::size_t>(model.items()), 0);
  const auto& all = movies.movies();
  for (std::size_t at = 0; at < all.size(); ++at) {
    const auto& movie = all[at];
    if (const auto row = model.item_ids().Find(movie.id)) {
      out.catalogue_index[static_cast<std::size_t>(*row)] = static_cast<std::int32_t>(at);
      out.live[static_cast<std::size_t>(*row)] = movie.deleted ? 0 : 1;
      continue;
    }
    if (movie.deleted) continue;
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

  static const OutsideMovies kNone;
  const OutsideMovies& outside = input.outside != nullptr ? *input.outside : kNone;
  const auto items = static_cast<std::size_t>(model.items());
  const auto buffer = ThreadScores(items, outside.movies.size());
  const auto scores = buffer.first(items);
  const auto outside_scores = buffer.subspan(items);
  const ml::ScoreSource model_source =
      model.ScoreViewer(facts.profile, scores, outside.movies, outside_scores);
  CandidateList list;
  list.model_version = model.version();
  list.source = FromModel(model_source);

  const auto& catalogue = movies.movies();
  // The catalogue entry of a model row through the prepared index when it belongs to this snapshot (its id
  // matches), else by lookup.
  const bool indexed = outside.catalogue_index.size() == items && outside.live.size() == items;
  const auto entry = [&](std::int64_t movie_id, std::int32_t row) -> const catalog::MovieInfo* {
    const std::int32_t at = row >= 0 && indexed ? outside.catalogue_index[static_cast<std::size_t>(row)] : -1;
    if (at >= 0 && static_cast<std::size_t>(at) < catalogue.size()
        && catalogue[static_cast<std::size_t>(at)].id == movie_id)
      return &catalogue[static_cast<std::size_t>(at)];
    return movies.Find(movie_id);  // an outside movie, or an index made for another snapshot
  };
  const auto eligible = [&](const Scored& s) -> const catalog::MovieInfo* {
    if (facts.excluded.contains(s.movie_id)) return nullptr;
    const auto* info = entry(s.movie_id, s.row);
    if (info == nullptr || info->deleted) return nullptr;
    if (input.only_genres != nullptr && !HasAnyGenre(*info, *input.only_genres)) return nullptr;
    return info;
  };
  // The same rules from the prepared per-row flags, without touching the catalogue (a random access per
  // movie that enters the running top, a cache miss each): checked for the final picks afterwards.
  const auto eligible_by_flags = [&](const Scored& s) -> const catalog::MovieInfo* {
    if (s.row >= 0 && outside.live[static_cast<std::size_t>(s.row)] == 0) return nullptr;
    if (facts.excluded.contains(s.movie_id)) return nullptr;
    return s.row >= 0 ? &catalogue.front() : eligible(s);  // a placeholder for rows, resolved below
  };

  // The best max_candidates eligible movies, kept in a heap whose front is the worst of them: a movie is
  // checked against the rules only when it would enter, so most of the catalogue costs one comparison.
  const std::size_t keep = input.max_candidates;
  const ml::IdMap& row_ids = model.item_ids();
  const auto select = [&](const auto& rules) {
    std::vector<Scored> top;
    top.reserve(std::min(keep, items + outside.ids.size()) + 1);
    const auto offer = [&](Scored candidate) {
      if (top.size() == keep && !Better(candidate, top.front())) return;
      candidate.info = rules(candidate);
      if (candidate.info == nullptr) return;
      top.push_back(candidate);
      std::push_heap(top.begin(), top.end(), Better);
      if (top.size() > keep) {
        std::pop_heap(top.begin(), top.end(), Better);
        top.pop_back();
      }
    };
    if (keep == 0) return top;
    // Below the worst kept score a movie cannot enter (an equal score may, by movie id): most of the
    // catalogue stops at this comparison, against a threshold kept in a register.
    bool full = false;
    float threshold = 0;
    for (std::size_t row = 0; row < items; ++row) {
      if (full && scores[row] < threshold) continue;
      const auto r = static_cast<std::int32_t>(row);
      offer({scores[row], row_ids.Id(r), nullptr, r, false});
      full = top.size() == keep;
      if (full) threshold = top.front().score;
    }
    // Movies added after training compete on the same scale, through their content, once the viewer has a
    // taste (with popularity alone they would score nothing).
    if (model_source != ml::ScoreSource::kPopularity)
      for (std::size_t i = 0; i < outside.ids.size(); ++i)
        offer({outside_scores[i], outside.ids[i], nullptr, -1, true});
    std::sort_heap(top.begin(), top.end(), Better);  // best first
    return top;
  };
  std::vector<Scored> scored;
  if (indexed && input.only_genres == nullptr) {
    scored = select(eligible_by_flags);
    for (auto& s : scored) {
      if (s.row < 0) continue;
      s.info = entry(s.movie_id, s.row);
      if (s.info == nullptr || s.info->deleted) {  // flags of another snapshot: the full rules instead
        scored.clear();
        break;
      }
    }
    if (scored.empty()) scored = select(eligible);
  } else {
    scored = select(eligible);
  }

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
    const std::string_view first_genre =
        s.info->genres.empty() ? std::string_view() : std::string_view(s.info->genres.front());
    std::string watched;  // "because you watched": the movie id as text
    std::string_view anchor;
    if (s.outside) {
      const auto shared = FirstSharedGenre(*s.info, facts.profile.onboarding_genres);
      item.reason = Reason::kNewInYourGenres;
      anchor = shared.empty() ? first_genre : shared;
    } else if (list.source == Source::kContent) {
      item.reason = Reason::kMatchesYourGenres;
      const auto shared = FirstSharedGenre(*s.info, facts.profile.onboarding_genres);
      anchor = shared.empty() ? first_genre : shared;
    } else if (list.source == Source::kPopular) {
      item.reason = Reason::kPopularInGenre;
      anchor = first_genre;
    } else if (const auto row = model.item_ids().Find(s.movie_id); row && anchors.contains(*row)) {
      item.reason = Reason::kBecauseYouWatched;
      watched = std::to_string(anchors.at(*row).second);
      anchor = watched;
    } else {
      item.reason = Reason::kForYou;
    }
    if (anchor.empty()) item.reason = Reason::kForYou;  // a movie without genres: nothing to name
    item.anchor = list.Anchor(anchor);
    list.items.push_back(item);
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
    list.Add(neighbour, similarity[k], Source::kSimilar, Reason::kSimilarTo, std::to_string(movie_id));
  }
  return list;
}

}  // namespace cinerec::recommend
