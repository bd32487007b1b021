#include "analytics/report_sql.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <map>

#include "storage/clickhouse/clickhouse_client.h"

namespace cinerec::analytics {

namespace json = boost::json;

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (unsigned char c : text) {
    if (c == '\\' || c == '\'') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

std::string TimeCondition(std::int64_t from, std::int64_t to, std::string_view column) {
  return fmt::format("{0} >= toDateTime({1}) AND {0} < toDateTime({2})", column, from, to);
}

std::string FilterConditions(const ReportFilters& f, const TableColumns& columns) {
  std::string sql;
  if (!f.genre.empty() && columns.genres) sql += " AND has(movie_genres, " + Quote(f.genre) + ")";
  if (f.movie_id != 0 && columns.movie) sql += fmt::format(" AND movie_id = {}", f.movie_id);
  if (!f.device.empty() && columns.device) sql += " AND device = " + Quote(f.device);
  if (!f.country.empty() && columns.user_attributes) sql += " AND user_country = " + Quote(f.country);
  if (!f.tier.empty() && columns.user_attributes) sql += " AND user_tier = " + Quote(f.tier);
  return sql;
}

std::string ImpressionFilterConditions(const ReportFilters& f) {
  std::string sql = FilterConditions(f, TableColumns{.device = false});
  if (!f.model_version.empty()) sql += " AND model_version = " + Quote(f.model_version);
  if (!f.variant.empty()) sql += " AND variant = " + Quote(f.variant);
  if (!f.source.empty()) sql += " AND source = " + Quote(f.source);
  return sql;
}

std::string PeriodExpression(Granularity granularity, std::string_view column) {
  switch (granularity) {
    case Granularity::kHour:
      return fmt::format("intDiv(toUInt32({}), 3600) * 3600", column);
    case Granularity::kDay:
      return fmt::format("intDiv(toUInt32({}), 86400) * 86400", column);
    case Granularity::kWeek:
      // Days since 1970-01-01 (a Thursday); (day + 3) % 7 is 0 on Mondays.
      return fmt::format("(intDiv(toUInt32({0}), 86400) - (intDiv(toUInt32({0}), 86400) + 3) % 7) * 86400",
                         column);
  }
  return "0";
}

std::string CompletedCondition(double threshold, std::string_view position, std::string_view watched,
                               std::string_view duration) {
  return fmt::format("({3} > 0 AND greatest({1}, {2}) >= {0} * {3})", threshold, position, watched, duration);
}

std::vector<Row> QueryRows(ClickHouseClient& clickhouse, const std::string& sql, Row* totals) {
  const std::string body = clickhouse.Query(sql + " FORMAT JSONCompact");
  std::vector<Row> rows;
  if (body.empty()) return rows;
  const json::value answer = json::parse(body);
  if (totals != nullptr && answer.as_object().contains("totals")) {
    totals->clear();
    for (const auto& cell : answer.at("totals").as_array())
      totals->push_back(cell);
  }
  for (const auto& row : answer.at("data").as_array()) {
    Row out;
    for (const auto& cell : row.as_array())
      out.push_back(cell);
    rows.push_back(std::move(out));
  }
  return rows;
}

std::int64_t AsInt(const json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) return static_cast<std::int64_t>(value.get_uint64());
  if (value.is_double()) return static_cast<std::int64_t>(value.get_double());
  if (value.is_string()) {
    const auto& s = value.get_string();
    std::int64_t out = 0;
    std::from_chars(s.data(), s.data() + s.size(), out);
    return out;
  }
  return 0;
}

double AsDouble(const json::value& value) {
  if (value.is_double()) return value.get_double();
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_string()) {
    try {
      const double out = std::stod(std::string(value.get_string()));
      return std::isfinite(out) ? out : 0;
    } catch (const std::exception&) {
      return 0;  // "nan" / "inf" of an empty aggregate
    }
  }
  return 0;
}

std::string AsString(const json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  return json::serialize(value);
}

json::array Series(const ReportRequest& request, const std::vector<Row>& rows,
                   const std::vector<std::string>& names) {
  std::map<std::int64_t, const Row*> by_period;
  for (const auto& row : rows)
    by_period[AsInt(row.at(0))] = &row;
  json::array series;
  for (auto period = PeriodStart(request.granularity, request.from); period < request.to;
       period = NextPeriod(request.granularity, period)) {
    json::object point{{"period", FormatTime(period)}};
    auto it = by_period.find(period);
    for (std::size_t i = 0; i < names.size(); ++i)
      point[names[i]] = it == by_period.end() ? 0 : AsInt(it->second->at(i + 1));
    series.emplace_back(std::move(point));
  }
  return series;
}

double Rate(std::int64_t x, std::int64_t n) {
  return n == 0 ? 0.0 : static_cast<double>(x) / static_cast<double>(n);
}

}  // namespace cinerec::analytics
