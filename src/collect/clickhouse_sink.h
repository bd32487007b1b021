#pragma once
// ClickHouseSink: every event into ClickHouse — watch events into watch_events, UI events and reactions into
// ui_events — as JSONEachRow, one INSERT per table per batch (the spool consumer sizes the batches).
//
// Each row carries what reports group by, as of delivery: the movie's genres and length (MovieDirectory) and
// the user's effective tier and country (UserAttributeCache, one PostgreSQL query for the batch's uncached
// users). While PostgreSQL is down, delivery waits up to `enrich_wait` for it (the spool keeps the events),
// then goes on with what is cached and counts the rows written without user attributes.
//
// Idempotent: event tables are ReplacingMergeTree keyed by event_id, so a re-delivered batch leaves
// duplicates only until the next merge, and every report counts distinct event_ids.
#include <atomic>
#include <chrono>
#include <optional>

#include "collect/sink.h"

namespace cinerec {
class ClickHouseClient;
namespace catalog {
class MovieDirectory;
}
namespace accounts {
class UserAttributeCache;
}
}  // namespace cinerec

namespace cinerec::collect {

class ClickHouseSink final : public EventSink {
 public:
  struct Options {
    std::chrono::milliseconds enrich_wait{60000};
  };
  ClickHouseSink(ClickHouseClient& clickhouse, catalog::MovieDirectory& movies,
                 accounts::UserAttributeCache& users, Options options);

  std::string_view name() const override { return "clickhouse"; }
  void Deliver(std::span<const Event> events) override;
  // Prepare looks up the user attributes and formats the rows (on the consumer's gathering thread); Send
  // inserts them (on its sending thread).
  std::unique_ptr<PreparedBatch> Prepare(std::span<const Event> events) override;
  void Send(PreparedBatch& batch) override;

  std::uint64_t rows_without_user_attributes() const { return rows_without_user_attributes_.load(); }

 private:
  struct Rows;
  ClickHouseClient& clickhouse_;
  catalog::MovieDirectory& movies_;
  accounts::UserAttributeCache& users_;
  Options options_;
  std::optional<std::chrono::steady_clock::time_point> enrich_failing_since_;  // only Prepare's thread
  std::atomic<std::uint64_t> rows_without_user_attributes_{0};
};

}  // namespace cinerec::collect
