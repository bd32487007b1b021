#include "collect/collect_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/movie_directory.h"
#include "collect/collect_metrics.h"
#include "collect/event_codec.h"
#include "collect/spool/wal.h"
#include "services/accounts/principal.h"

namespace cinerec::collect {
namespace {

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A bucket holds ten seconds of the rate, and at least one full batch (else a full batch could never pass).
double Burst(double rate, std::size_t max_batch) {
  return std::max(rate * 10, static_cast<double>(max_batch));
}

}  // namespace

CollectService::CollectService(const CollectConfig& config, Wal& wal, catalog::MovieDirectory& movies,
                               CollectMetrics* metrics, NowMs now)
    : wal_(wal),
      movies_(movies),
      metrics_(metrics),
      now_(now ? std::move(now) : NowMs(SystemNowMs)),
      viewer_limits_(config.viewer_events_per_s, Burst(config.viewer_events_per_s, config.max_batch_events)),
      client_limits_(config.client_events_per_s, Burst(config.client_events_per_s, config.max_batch_events)) {
  limits_.max_events = config.max_batch_events;
  limits_.max_future_skew = std::chrono::seconds(config.max_future_skew_s);
  limits_.max_age = std::chrono::seconds(config.max_event_age_s);
}

Acceptance CollectService::Accept(const Principal& caller, std::string_view body) {
  auto batch = ParseEventBatch(body, Caller{caller.user_id, caller.is_admin()}, limits_, now_());
  if (metrics_ != nullptr) metrics_->RequestBatchSize(batch.total);

  // Rate limits count the events of the batch; admins (trusted backends) have their own, usually higher,
  // limit.
  const std::string client =
      caller.user_id != 0 ? "u:" + std::to_string(caller.user_id) : "k:" + caller.session_id;
  auto& limiter = caller.is_admin() ? client_limits_ : viewer_limits_;
  if (const auto wait = limiter.Take(client, static_cast<double>(batch.total)); wait > 0) {
    if (metrics_ != nullptr) metrics_->BatchRefused("rate_limited");
    throw TryLater(
        429, "rate_limited",
        "too many events from this client; retry the same batch after " + std::to_string(wait) + " s",
        std::chrono::seconds(wait));
  }

  RejectUnknownMovies(batch);
  if (!batch.events.empty()) {
    const auto record = EncodeEvents(batch.events);
    const auto start = std::chrono::steady_clock::now();
    try {
      wal_.Append(record);
    } catch (const WalFull&) {
      if (metrics_ != nullptr) metrics_->BatchRefused("spool_full");
      throw TryLater(
          503, "spool_full",
          "the event spool is full while a store is unavailable; nothing in this batch was stored, "
          "retry it later",
          std::chrono::seconds(5));
    } catch (const std::system_error& e) {
      if (metrics_ != nullptr) metrics_->BatchRefused("spool_error");
      spdlog::error("collect: spool append failed: {}", e.what());
      throw TryLater(503, "spool_unavailable",
                     "the event spool cannot be written; nothing in this batch was stored, retry it later",
                     std::chrono::seconds(5));
    }
    if (metrics_ != nullptr)
      metrics_->SpoolAppend(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (metrics_ != nullptr) metrics_->EventsReceived(batch.events.size(), batch.rejections.size());
  return Acceptance{batch.total, batch.events.size(), std::move(batch.rejections)};
}

// Events must name movies of the catalogue. The check uses the in-memory directory (no I/O); an unknown id
// is looked up in PostgreSQL first (by primary key), so a movie created a moment ago is found. Before the
// directory's first load (PostgreSQL down since start) nothing can be checked and every movie id is taken.
void CollectService::RejectUnknownMovies(ParsedBatch& batch) {
  auto movies = movies_.snapshot();
  if (movies == nullptr) return;
  std::vector<std::int64_t> unknown_ids;
  for (const auto& e : batch.events)
    if (e.movie_id != 0 && movies->Find(e.movie_id) == nullptr) unknown_ids.push_back(e.movie_id);
  if (!unknown_ids.empty()) {
    std::sort(unknown_ids.begin(), unknown_ids.end());
    unknown_ids.erase(std::unique(unknown_ids.begin(), unknown_ids.end()), unknown_ids.end());
    if (movies_.LoadMissing(unknown_ids)) movies = movies_.snapshot();
  }
  std::size_t kept = 0;
  bool unknown = false;
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    auto& event = batch.events[i];
    if (event.movie_id != 0 && movies->Find(event.movie_id) == nullptr) {
      unknown = true;
      batch.rejections.push_back({batch.indices[i], event.event_id, "unknown_movie", "movie_id",
                                  "no movie with id " + std::to_string(event.movie_id)});
      continue;
    }
    if (kept != i) {
      batch.events[kept] = std::move(event);
      batch.indices[kept] = batch.indices[i];
    }
    ++kept;
  }
  batch.events.resize(kept);
  batch.indices.resize(kept);
  if (unknown) {
    std::sort(batch.rejections.begin(), batch.rejections.end(),
              [](const Rejection& a, const Rejection& b) { return a.index < b.index; });
  }
}

}  // namespace cinerec::collect
