#include "collect/clickhouse_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "accounts/user_attribute_cache.h"
#include "catalog/movie_directory.h"
#include "common/errors.h"
#include "ingest/event_ids.h"  // FormatUtc, AppendJsonString: the row format the importer also writes
#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec::collect {
namespace {

using accounts::UserAttributes;

constexpr int kUnknownTable = 60;  // ClickHouse error codes (ErrorCodes.cpp)
constexpr int kUnknownDatabase = 81;
using ingest::AppendJsonString;

std::string Seconds(std::int64_t unix_ms) {
  return ingest::FormatUtc(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
}

void AppendNumber(std::string& out, std::string_view name, std::uint64_t value) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(value);
}

void AppendText(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  AppendJsonString(out, value);
}

// The columns both event tables share, after event_type.
void AppendCommon(std::string& out, const Event& e) {
  out += "{\"event_id\":\"";
  out += e.event_id;
  out += "\",\"event_type\":\"";
  out += EventTypeName(e.type);
  out += "\",\"event_time\":\"";
  out += Seconds(e.event_time_ms);
  out += "\",\"received_at\":\"";
  out += Seconds(e.received_ms);
  out += '"';
  AppendNumber(out, "user_id", static_cast<std::uint64_t>(e.user_id));
  AppendNumber(out, "movie_id", static_cast<std::uint64_t>(e.movie_id));
  AppendText(out, "session_id", e.session_id);
  AppendText(out, "device", e.device);
}

void AppendAttributes(std::string& out, const catalog::MovieInfo* movie, const UserAttributes* user) {
  out += ",\"movie_genres\":[";
  if (movie != nullptr) {
    for (std::size_t i = 0; i < movie->genres.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(out, movie->genres[i]);
    }
  }
  out += ']';
  AppendText(out, "user_tier", user != nullptr ? std::string_view(user->tier) : std::string_view());
  AppendText(out, "user_country", user != nullptr ? std::string_view(user->country) : std::string_view());
  out += '}';
}

void AppendWatchRow(std::string& out, const Event& e, const catalog::MovieInfo* movie,
                    const UserAttributes* user) {
  if (!out.empty()) out += '\n';
  AppendCommon(out, e);
  AppendNumber(out, "position_s", e.position_s);
  AppendNumber(out, "seek_from_s", e.seek_from_s);
  AppendNumber(out, "seek_to_s", e.seek_to_s);
  AppendNumber(out, "watched_s", e.watched_s);
  AppendNumber(out, "duration_s", movie != nullptr ? movie->duration_s : 0);
  AppendAttributes(out, movie, user);
}

void AppendUiRow(std::string& out, const Event& e, const catalog::MovieInfo* movie,
                 const UserAttributes* user) {
  if (!out.empty()) out += '\n';
  AppendCommon(out, e);
  AppendText(out, "target", e.target);
  AppendText(out, "section", e.section);
  AppendText(out, "request_id", e.request_id);
  AppendNumber(out, "rank", e.rank);
  AppendText(out, "query", e.query);
  AppendNumber(out, "results", e.results);
  AppendText(out, "extra", "");
  AppendAttributes(out, movie, user);
}

}  // namespace

ClickHouseSink::ClickHouseSink(ClickHouseClient& clickhouse, catalog::MovieDirectory& movies,
                               accounts::UserAttributeCache& users, Options options)
    : clickhouse_(clickhouse), movies_(movies), users_(users), options_(options) {}

// The rows of a batch, enriched and formatted: what Send inserts.
struct ClickHouseSink::Rows final : PreparedBatch {
  std::string watch, ui;
  std::uint64_t without_user = 0;
};

void ClickHouseSink::Deliver(std::span<const Event> events) {
  Send(*Prepare(events));
}

std::unique_ptr<PreparedBatch> ClickHouseSink::Prepare(std::span<const Event> events) {
  std::vector<std::int64_t> user_ids;
  user_ids.reserve(events.size());
  for (const auto& e : events)
    user_ids.push_back(e.user_id);
  std::sort(user_ids.begin(), user_ids.end());
  user_ids.erase(std::unique(user_ids.begin(), user_ids.end()), user_ids.end());

  accounts::UserAttributeCache::AttributeMap users;
  try {
    users = users_.Get(user_ids);
    enrich_failing_since_.reset();
  } catch (const StoreError& e) {
    const auto now = std::chrono::steady_clock::now();
    if (!enrich_failing_since_) enrich_failing_since_ = now;
    if (now - *enrich_failing_since_ < options_.enrich_wait) throw;  // the consumer retries the batch later
    users = users_.GetCached(user_ids);
    spdlog::warn(
        "clickhouse sink: user attributes unavailable for {} s ({}); writing {} events without the "
        "uncached users' tier and country",
        std::chrono::duration_cast<std::chrono::seconds>(now - *enrich_failing_since_).count(), e.what(),
        events.size());
  }

  const auto movies = movies_.snapshot();
  auto rows = std::make_unique<Rows>();
  rows->watch.reserve(events.size() * 320);
  for (const auto& e : events) {
    const auto* movie = movies != nullptr && e.movie_id != 0 ? movies->Find(e.movie_id) : nullptr;
    const auto it = users.find(e.user_id);
    const UserAttributes* user = it != users.end() && it->second.exists ? &it->second : nullptr;
    if (user == nullptr) ++rows->without_user;
    if (IsWatchEvent(e.type))
      AppendWatchRow(rows->watch, e, movie, user);
    else
      AppendUiRow(rows->ui, e, movie, user);
  }
  return rows;
}

void ClickHouseSink::Send(PreparedBatch& batch) {
  auto& rows = static_cast<Rows&>(batch);
  // Both inserts again after a failure of the second: the first table's copies collapse by event_id.
  try {
    if (!rows.watch.empty()) clickhouse_.Insert("watch_events", "JSONEachRow", rows.watch);
    if (!rows.ui.empty()) clickhouse_.Insert("ui_events", "JSONEachRow", rows.ui);
  } catch (const ClickHouseQueryError& e) {
    // "Unknown table / database" is what a ClickHouse that is shutting down answers on a kept-alive
    // connection (18.16 detaches its tables ~15 s before it closes the port), and what a database not
    // migrated yet answers: both pass, so retry (the spool keeps the events) instead of dead-lettering.
    if (e.code() == kUnknownTable || e.code() == kUnknownDatabase) throw StoreError("clickhouse", e.what());
    throw;
  }
  rows_without_user_attributes_ += rows.without_user;
}

}  // namespace cinerec::collect
