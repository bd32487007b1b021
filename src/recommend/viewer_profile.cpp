#include "recommend/viewer_profile.h"

#include <algorithm>
#include <map>

#include "training/view_signals.h"

namespace cinerec::recommend {
namespace {

struct Cell {
  float weighted_preference = 0;  // sum of preference x confidence
  float confidence = 0;
  float plain_preference = 0;  // sum of preferences, for the all-zero-confidence mean
  int count = 0;
  std::int64_t time_ms = 0;
};

bool IsComplete(const ViewRecord& view, float completed_share) {
  if (view.completed) return true;
  return view.duration_s && *view.duration_s > 0
         && static_cast<double>(view.watched_s) / static_cast<double>(*view.duration_s) >= completed_share;
}

}  // namespace

ViewerFacts BuildViewerFacts(std::int64_t user_id, const ViewerHistory& history, const ml::IdMap* items,
                             const ml::SignalWeights& weights) {
  ViewerFacts facts;
  facts.profile.user_id = user_id;
  facts.profile.onboarding_genres = history.onboarding_genres;

  std::map<std::int64_t, std::vector<ml::Signal>> signals;  // movie id -> its signals
  std::map<std::int64_t, std::int64_t> positive_at;         // movie id -> latest positive time
  std::unordered_set<std::int64_t> disliked;
  for (std::size_t begin = 0; begin < history.views.size();) {
    std::size_t end = begin;
    std::vector<training::ViewRow> rows;
    while (end < history.views.size() && history.views[end].movie_id == history.views[begin].movie_id) {
      const auto& view = history.views[end];
      rows.push_back({user_id, view.movie_id, view.watched_s, view.completed, view.duration_s, view.time_ms});
      if (IsComplete(view, weights.completed_share)) {
        facts.excluded.insert(view.movie_id);
        auto& at = positive_at[view.movie_id];
        at = std::max(at, view.time_ms);
      }
      ++end;
    }
    auto& out = signals[history.views[begin].movie_id];
    for (auto& signal : training::ViewSignals(rows, weights.completed_share))
      out.push_back(signal);
    begin = end;
  }
  for (const auto& reaction : history.reactions) {
    if (auto signal = training::ReactionSignal(reaction.value, reaction.time_ms))
      signals[reaction.movie_id].push_back(*signal);
    if (reaction.value == 1 || reaction.value == -1) facts.excluded.insert(reaction.movie_id);
    if (reaction.value == 1) {
      auto& at = positive_at[reaction.movie_id];
      at = std::max(at, reaction.time_ms);
    }
    if (reaction.value == -1) disliked.insert(reaction.movie_id);
  }

  // Cells of one movie combine as ml/interaction_matrix.h does: confidences add, the preference is their
  // confidence-weighted mean (the plain mean when every confidence is 0).
  if (items != nullptr) {
    for (const auto& [movie_id, movie_signals] : signals) {
      const auto row = items->Find(movie_id);
      if (!row) continue;  // a movie outside the model: the model cannot use it
      Cell cell;
      for (const auto& signal : movie_signals) {
        const auto interaction = ml::ToInteraction(weights, 0, *row, signal);
        if (!interaction) continue;
        cell.weighted_preference += interaction->preference * interaction->confidence;
        cell.confidence += interaction->confidence;
        cell.plain_preference += interaction->preference;
        ++cell.count;
        cell.time_ms = std::max(cell.time_ms, interaction->time_ms);
      }
      if (cell.count == 0) continue;
      ml::Interaction combined;
      combined.item = *row;
      combined.confidence = cell.confidence;
      combined.preference = cell.confidence > 0 ? cell.weighted_preference / cell.confidence
                                                : cell.plain_preference / static_cast<float>(cell.count);
      combined.time_ms = cell.time_ms;
      facts.profile.history.push_back(combined);
    }
  }

  std::vector<std::pair<std::int64_t, std::int64_t>> positives;  // (time, movie)
  for (const auto& [movie_id, at] : positive_at)
    if (!disliked.contains(movie_id)) positives.emplace_back(at, movie_id);
  std::sort(positives.begin(), positives.end(), std::greater<>());
  for (const auto& [at, movie_id] : positives)
    facts.positives.push_back(movie_id);
  return facts;
}

}  // namespace cinerec::recommend
