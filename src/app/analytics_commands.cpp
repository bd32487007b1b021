#include "app/analytics_commands.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>

#include "analytics/analytics_service.h"
#include "analytics/dimension_sync.h"
#include "analytics/history_export.h"
#include "analytics/report_request.h"
#include "analytics/retention.h"
#include "analytics/rollups.h"
#include "app/stores.h"
#include "common/config.h"
#include "common/errors.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"

namespace cinerec {

namespace json = boost::json;

namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-10-05" -> its midnight UTC; throws ApiError naming the option.
std::int64_t ParseDay(const std::string& option, const std::string& text) {
  if (text.size() != 10) throw Unprocessable(option, "must be a date such as 2026-10-05");
  AnalyticsConfig config;
  try {
    return analytics::ParseReportRequest({{"from", text}, {"to", text + "T23:59:59Z"}}, {}, config, 0).from;
  } catch (const ApiError&) {
    throw Unprocessable(option, "must be a date such as 2026-10-05");
  }
}

void PrintTable(const std::string& title, const std::vector<std::string>& headers,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& h : headers)
    widths.push_back(h.size());
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  std::cout << "\n" << title << "\n";
  auto print_row = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i)
      std::cout << (i == 0 ? fmt::format("{:<{}}", cells[i], widths[i])
                           : fmt::format("  {:>{}}", cells[i], widths[i]));
    std::cout << "\n";
  };
  print_row(headers);
  if (rows.empty()) std::cout << "(none)\n";
  for (const auto& row : rows)
    print_row(row);
}

std::string Cell(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_double()) return fmt::format("{:.4f}", v.as_double());
  if (v.is_null()) return "-";
  return json::serialize(v);
}

// One table of `items` (objects) with the given columns.
void PrintObjects(const std::string& title, const json::array& items,
                  const std::vector<std::string>& columns) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& item : items) {
    std::vector<std::string> row;
    for (const auto& c : columns)
      row.push_back(item.as_object().contains(c) ? Cell(item.as_object().at(c)) : "");
    rows.push_back(std::move(row));
  }
  PrintTable(title, columns, rows);
}

// Runs every report `repeat` times; prints p50 and p99 (nearest rank) wall-clock latency per report.
int TimeReports(analytics::AnalyticsService& service, const analytics::ReportRequest& request, int repeat) {
  using Clock = std::chrono::steady_clock;
  auto by = [&request](const std::string& key) {
    auto copy = request;
    copy.by = key;
    return copy;
  };
  auto compare = request;
  compare.variant_a = "A";
  compare.variant_b = "B";
  auto history = request;
  history.limit = 100;
  const std::vector<std::pair<std::string, std::function<void()>>> reports = {
      {"views", [&] { service.Views(request); }},
      {"watch-quality", [&] { service.WatchQuality(request); }},
      {"engagement", [&] { service.Engagement(request, NowSeconds()); }},
      {"search", [&] { service.Search(request); }},
      {"ui", [&] { service.Ui(request); }},
      {"recommendations (model_version)", [&] { service.Recommendations(by("model_version")); }},
      {"recommendations (position)", [&] { service.Recommendations(by("position")); }},
      {"recommendations/compare", [&] { service.CompareVariants(compare); }},
      {"users/{id}/history", [&] { service.UserHistory(42, history); }},
  };
  std::cout << fmt::format("{:<34} {:>10} {:>10}   ({} runs, {} .. {})\n", "report", "p50 ms", "p99 ms",
                           repeat, analytics::FormatTime(request.from), analytics::FormatTime(request.to));
  for (const auto& [name, run] : reports) {
    std::vector<double> ms;
    for (int i = 0; i < repeat; ++i) {
      const auto start = Clock::now();
      run();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    const auto rank = [&ms](double q) {
      return ms[std::min(ms.size() - 1,
                         static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1)];
    };
    std::cout << fmt::format("{:<34} {:>10.0f} {:>10.0f}\n", name, rank(0.5), rank(0.99)) << std::flush;
  }
  return 0;
}

}  // namespace

CLI::App* AddExportHistoryCommand(CLI::App& export_command, ExportHistoryArgs& args) {
  auto* command = export_command.add_subcommand("history",
                                                "Recommendation history (impressions with outcomes) and raw "
                                                "events of each UTC day to S3 history/<date>/");
  auto* date = command->add_option("--date", args.date, "One day, YYYY-MM-DD (UTC)");
  auto* from = command->add_option("--from", args.from, "First day of a range, YYYY-MM-DD");
  auto* to = command->add_option("--to", args.to, "Last day of the range (inclusive)");
  date->excludes(from)->excludes(to);
  from->needs(to);
  to->needs(from);
  return command;
}

int RunExportHistory(const Config& config, const ExportHistoryArgs& args) {
  std::int64_t first = 0, last = 0;
  try {
    if (!args.date.empty()) {
      first = last = ParseDay("--date", args.date);
    } else if (!args.from.empty()) {
      first = ParseDay("--from", args.from);
      last = ParseDay("--to", args.to);
      if (last < first) throw Unprocessable("--to", "must not be before --from");
      if ((last - first) / kDay >= 366) throw Unprocessable("--to", "export at most 366 days at once");
    } else {
      throw Unprocessable("--date", "give --date, or --from and --to");
    }
  } catch (const ApiError& e) {
    std::cerr << "cinerec export history: " << e.what() << "\n";
    return 2;
  }
  auto stores = Stores::Connect(config);
  analytics::HistoryExportOptions options;
  options.window_s = config.analytics.conversion_window_s;
  options.completion_threshold = config.collect.completion_threshold;
  for (std::int64_t day = first; day <= last; day += kDay) {
    const auto exported = analytics::ExportHistoryDay(*stores.clickhouse, *stores.s3, day, options);
    std::int64_t rows = 0;
    for (const auto& f : exported.files)
      rows += f.rows;
    std::cout << exported.date << ": " << exported.files.size() << " files, " << rows << " rows -> "
              << exported.manifest_key << "\n";
  }
  return 0;
}

CLI::App* AddReportCommand(CLI::App& app, ReportArgs& args) {
  auto* command = app.add_subcommand("report",
                                     "Print the main analytics reports (views, engagement, search, "
                                     "recommendations) in the terminal");
  command->add_option("--from", args.from, "Start, ISO-8601 UTC or a date (default: 7 days before --to)");
  command->add_option("--to", args.to, "End, exclusive (default: the next full hour)");
  command->add_option("--granularity", args.granularity, "hour, day or week")->capture_default_str();
  command
      ->add_option("--repeat", args.repeat,
                   "Run each report this many times and print p50/p99 latency instead of the tables")
      ->check(CLI::Range(1, 10000));
  command->add_flag(
      "--no-rollups", args.no_rollups,
      "Read the raw tables only, not the sealed daily rollups (same answers, for comparing speed)");
  return command;
}

int RunReport(const Config& config, const ReportArgs& args) {
  std::map<std::string, std::string> query{{"granularity", args.granularity}};
  if (!args.from.empty()) query["from"] = args.from;
  if (!args.to.empty()) query["to"] = args.to;
  analytics::ReportRequest request;
  try {
    request =
        analytics::ParseReportRequest(query, analytics::ReportParameters{.granularity = true, .filters = {}},
                                      config.analytics, NowSeconds());
  } catch (const ApiError& e) {
    std::cerr << "cinerec report: " << e.what() << "\n";
    return 2;
  }
  auto stores = Stores::Connect(config);
  analytics::AnalyticsService service(
      *stores.clickhouse,
      analytics::ServiceOptions{.conversion_window_s = config.analytics.conversion_window_s,
                                .search_window_s = config.analytics.search_window_s,
                                .completion_threshold = config.collect.completion_threshold,
                                .use_rollups = !args.no_rollups});
  if (args.repeat > 0) return TimeReports(service, request, args.repeat);
  std::cout << "cinerec report " << analytics::FormatTime(request.from) << " .. "
            << analytics::FormatTime(request.to) << " (UTC, end exclusive)\n";
  const auto views = service.Views(request);
  PrintObjects("Views per " + args.granularity, views.at("series").as_array(),
               {"period", "views_started", "views_completed", "unique_viewers", "watch_time_s"});
  PrintObjects("Top movies by views", views.at("top_movies_by_views").as_array(),
               {"movie_id", "title", "views_started", "views_completed", "watch_time_s"});
  PrintObjects("Top genres by views", views.at("top_genres_by_views").as_array(),
               {"genre", "views_started", "watch_time_s"});
  const auto engagement = service.Engagement(request, NowSeconds());
  PrintObjects("Active users per " + args.granularity, engagement.at("series").as_array(),
               {"period", "active_users"});
  const auto search = service.Search(request);
  PrintObjects("Top searches", search.at("top_queries").as_array(),
               {"query", "searches", "users", "zero_result_searches"});
  PrintObjects("Zero-result searches", search.at("zero_result_queries").as_array(),
               {"query", "searches", "users"});
  const auto recommendations = service.Recommendations(request);
  PrintObjects("Recommendations by model version (window "
                   + std::to_string(config.analytics.conversion_window_s) + " s)",
               recommendations.at("groups").as_array(),
               {"model_version", "impressions", "clicks", "watches_started", "watches_completed", "ctr",
                "start_rate"});
  request.by = "position";
  PrintObjects("CTR by position", service.Recommendations(request).at("groups").as_array(),
               {"position", "impressions", "clicks", "ctr"});
  return 0;
}

CLI::App* AddRetentionCommand(CLI::App& app, RetentionArgs& args) {
  auto* command =
      app.add_subcommand("retention", "Drop raw-event partitions (months) older than the retention age");
  command->add_option("--days", args.days, "Age in days (default: analytics.raw_retention_days)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--dry-run", args.dry_run, "Only list what would be dropped");
  return command;
}

int RunRetention(const Config& config, const RetentionArgs& args) {
  auto stores = Stores::Connect(config);
  const int days = args.days >= 0 ? args.days : config.analytics.raw_retention_days;
  const auto dropped = analytics::DropExpiredPartitions(*stores.clickhouse, days, NowSeconds(), args.dry_run);
  for (const auto& p : dropped)
    std::cout << (args.dry_run ? "would drop " : "dropped ") << p.table << " " << p.partition << "\n";
  std::cout << dropped.size() << " partition(s) " << (args.dry_run ? "expired" : "dropped") << " (older than "
            << days << " days)\n";
  return 0;
}

CLI::App* AddSyncDimensionsCommand(CLI::App& app, SyncDimensionsArgs& args) {
  auto* command = app.add_subcommand(
      "sync-dimensions",
      "Copy users, movies, sign-ups and subscription changes from PostgreSQL to ClickHouse now");
  command->add_flag("--full", args.full,
                    "Every row (the default is also every row: a fresh process has no watermark)");
  return command;
}

int RunSyncDimensions(const Config& config, const SyncDimensionsArgs& args) {
  auto stores = Stores::Connect(config);
  analytics::DimensionSync sync(*stores.postgres, *stores.clickhouse);
  const auto counts = args.full ? sync.FullRefresh() : sync.SyncChanges();
  std::cout << "users " << counts.users << ", movies " << counts.movies << ", sign-ups " << counts.signups
            << ", subscription changes " << counts.subscription_changes << "\n";
  return 0;
}

CLI::App* AddRollupCommand(CLI::App& app, RollupArgs& args) {
  auto* command = app.add_subcommand(
      "rollup",
      "Seal closed UTC days into the daily rollups the reports read (docs/analytics.md, \"Speed\")");
  command
      ->add_option("--days", args.days,
                   "Check the days of this many days back (default: analytics.max_range_days)")
      ->check(CLI::Range(1, 36500));
  return command;
}

int RunRollup(const Config& config, const RollupArgs& args) {
  auto stores = Stores::Connect(config);
  const auto started = std::chrono::steady_clock::now();
  const auto result = analytics::SealClosedDays(*stores.clickhouse,
                                                analytics::RollupOptionsOf(config, args.days), NowSeconds());
  std::cout << fmt::format(
      "{} closed day(s) checked over the rollups, {} sealed, {} left raw (ambiguous copies) in {:.1f} s\n",
      result.days_checked, result.days_sealed, result.days_ambiguous,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return 0;
}

}  // namespace cinerec
