#include "recommend/impression_log.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>

#include "ingest/event_ids.h"  // DeterministicUuid, FormatUtc, AppendJsonString: the event tables' row format
#include "storage/clickhouse/clickhouse_batcher.h"

namespace cinerec::recommend {

std::vector<std::string> ImpressionRows(const ImpressionBatch& batch) {
  const std::string time = ingest::FormatUtc(batch.time_ms / 1000);
  std::vector<std::string> rows;
  rows.reserve(batch.items.size());
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    const auto& item = batch.items[i];
    std::string row = "{\"event_id\":\"";
    row += ingest::DeterministicUuid(fmt::format("impression:{}:{}", batch.request_id, i + 1));
    row += "\",\"request_id\":";
    ingest::AppendJsonString(row, batch.request_id);
    fmt::format_to(std::back_inserter(row),
                   ",\"event_time\":\"{}\",\"received_at\":\"{}\",\"user_id\":{},\"movie_id\":{},"
                   "\"position\":{},\"score\":{},\"model_version\":",
                   time, time, batch.user_id, item.movie_id, i + 1,
                   std::isfinite(item.score) ? item.score : 0.0f);
    ingest::AppendJsonString(row, batch.model_version);
    row += ",\"variant\":";
    ingest::AppendJsonString(row, batch.variant);
    row += ",\"source\":";
    ingest::AppendJsonString(row, item.source);
    row += ",\"movie_genres\":[";
    if (item.genres != nullptr)
      for (std::size_t g = 0; g < item.genres->size(); ++g) {
        if (g > 0) row += ',';
        ingest::AppendJsonString(row, (*item.genres)[g]);
      }
    row += "],\"user_tier\":";
    ingest::AppendJsonString(row, batch.user_tier);
    row += ",\"user_country\":";
    ingest::AppendJsonString(row, batch.user_country);
    row += '}';
    rows.push_back(std::move(row));
  }
  return rows;
}

void ClickHouseImpressionLog::Record(const ImpressionBatch& batch) {
  for (auto& row : ImpressionRows(batch)) {
    if (!batcher_.Append(kImpressionsTable, std::move(row))) {
      if (dropped_.fetch_add(1) % 10000 == 0)
        spdlog::warn("recommend: impression buffer full (ClickHouse slow or down); {} impressions dropped",
                     dropped_.load());
    }
  }
}

}  // namespace cinerec::recommend
