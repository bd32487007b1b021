#include "recommend/impression_log.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>

#include "common/json_text.h"
#include "common/tab_separated.h"
#include "ingest/event_ids.h"  // FormatUtc, AppendUuid: the event tables' formats
#include "storage/clickhouse/clickhouse_batcher.h"

namespace cinerec::recommend {

namespace {

// The 128 bits the event ids of a response derive from: the request id itself when it is the usual 32 hex
// digits (random, NewRequestId), else a SHA-1 of it — once per response, not per row (a digest per row was
// a visible share of a cache hit).
std::pair<std::uint64_t, std::uint64_t> RequestBits(std::string_view request_id) {
  std::uint64_t hi = 0, lo = 0;
  if (request_id.size() == 32) {
    const auto h = std::from_chars(request_id.data(), request_id.data() + 16, hi, 16);
    const auto l = std::from_chars(request_id.data() + 16, request_id.data() + 32, lo, 16);
    if (h.ec == std::errc() && h.ptr == request_id.data() + 16 && l.ec == std::errc()
        && l.ptr == request_id.data() + 32)
      return {hi, lo};
  }
  const std::string name = "impression:" + std::string(request_id);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  for (int i = 0; i < 8; ++i) {
    hi = hi << 8 | digest[i];
    lo = lo << 8 | digest[8 + i];
  }
  return {hi, lo};
}

// Distinct positions give distinct ids: lo + position * (an odd constant) differs in more than the two
// variant bits masked below for any two positions under 2^62. Version 8 (custom) per RFC 9562.
void AppendEventId(std::string& out, std::uint64_t hi, std::uint64_t lo, std::size_t position) {
  lo += position * 0x9E3779B97F4A7C15ULL;
  hi = (hi & ~0xF000ULL) | 0x8000ULL;
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
  ingest::AppendUuid(out, hi, lo);
}

}  // namespace

void AppendImpressionEventId(std::string& out, std::string_view request_id, std::size_t position) {
  const auto [hi, lo] = RequestBits(request_id);
  AppendEventId(out, hi, lo, position);
}

void AppendImpressionRows(std::string& out, const ImpressionBatch& batch) {
  // TabSeparated in the table's column order (kImpressionsFormat): half the bytes of JSONEachRow to format
  // and send, at cache-hit rates (20 rows per answer, hundreds of thousands of rows a second). Written
  // straight into `out` (to_chars, no format strings); what every row of the response shares is escaped once.
  const auto [hi, lo] = RequestBits(batch.request_id);
  const std::string time = ingest::FormatUtc(batch.time_ms / 1000);
  std::string shared_head = "\t";  // after event_id: request_id .. user_id
  AppendTabSeparated(shared_head, batch.request_id);
  shared_head += '\t' + time + '\t' + time + '\t';
  AppendJsonNumber(shared_head, batch.user_id);
  shared_head += '\t';
  std::string shared_middle = "\t";  // after score: model_version, variant
  AppendTabSeparated(shared_middle, batch.model_version);
  shared_middle += '\t';
  AppendTabSeparated(shared_middle, batch.variant);
  shared_middle += '\t';
  std::string shared_tail = "]\t";  // after the genres: user_tier, user_country
  AppendTabSeparated(shared_tail, batch.user_tier);
  shared_tail += '\t';
  AppendTabSeparated(shared_tail, batch.user_country);
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    const auto& item = batch.items[i];
    if (i > 0) out += '\n';
    AppendEventId(out, hi, lo, i + 1);
    out += shared_head;
    AppendJsonNumber(out, item.movie_id);
    out += '\t';
    AppendJsonNumber(out, i + 1);
    out += '\t';
    AppendJsonNumber(out, std::isfinite(item.score) ? item.score : 0.0f);
    out += shared_middle;
    AppendTabSeparated(out, item.source);
    out += "\t[";
    if (batch.genre_names != nullptr)
      for (std::size_t g = 0; g < item.genre_ids.size(); ++g) {
        if (g > 0) out += ',';
        AppendTabSeparatedQuoted(out, (*batch.genre_names)[item.genre_ids[g]]);
      }
    out += shared_tail;
  }
}

std::vector<std::string> ImpressionRows(const ImpressionBatch& batch) {
  std::string joined;
  AppendImpressionRows(joined, batch);
  std::vector<std::string> rows;
  std::size_t start = 0;
  while (start < joined.size()) {
    const auto end = std::min(joined.find('\n', start), joined.size());
    rows.push_back(joined.substr(start, end - start));
    start = end + 1;
  }
  return rows;
}

void ClickHouseImpressionLog::Record(const ImpressionBatch& batch) {
  thread_local std::string rows;  // keeps its capacity from one response to the next
  rows.clear();
  AppendImpressionRows(rows, batch);
  if (!batcher_.AppendRows(kImpressionsTable, rows, batch.items.size())) {
    const auto dropped = dropped_.fetch_add(batch.items.size());
    if (dropped / 10000 != (dropped + batch.items.size()) / 10000 || dropped == 0)
      spdlog::warn("recommend: impression buffer full (ClickHouse slow or down); {} impressions dropped",
                   dropped + batch.items.size());
  }
}

}  // namespace cinerec::recommend
