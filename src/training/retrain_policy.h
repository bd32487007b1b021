#pragma once
// When the scheduler retrains (docs/training.md, "Scheduling"): when the rows the trainer reads (views and
// non-cleared reactions of movies not deleted) have grown by at least `min_new` since the published model
// was trained, as recorded in its manifest's data.views and data.reactions. Pure functions; the counts come
// from training/pg_data_counts.h and the manifest.
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cinerec::training {

struct DataCounts {
  std::int64_t views = 0;
  std::int64_t reactions = 0;
  std::int64_t total() const { return views + reactions; }
};

struct RetrainDecision {
  bool retrain = false;
  std::int64_t new_rows = 0;  // growth since the model (never negative)
  std::string reason;         // one line for the log
};

// `model`: the published model's counts, nullopt when nothing is published yet (retrain when there is any
// data). Deletions can hide growth (a count is compared, not the rows): erasing 100 users' rows and adding
// 100 new ones counts as no change, which only delays the next retraining.
RetrainDecision DecideRetrain(const std::optional<DataCounts>& model, const DataCounts& now,
                              std::int64_t min_new);

// The counts a manifest's `data` object records (nullopt when it lacks them, e.g. a hand-made model).
std::optional<DataCounts> CountsFromManifestData(const boost::json::object& data);

// "90s", "30m", "6h", "1d", or plain seconds ("3600"); at least 1 s. Throws std::invalid_argument naming the
// text otherwise.
std::chrono::seconds ParseDuration(std::string_view text);

}  // namespace cinerec::training
