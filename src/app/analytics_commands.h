#pragma once
// The analytics subcommands (docs/analytics.md):
//   cinerec export history --date D | --from D1 --to D2   history of each UTC day to S3 history/<date>/
//   cinerec report [--from --to --granularity]             the main reports as tables in the terminal
//   cinerec retention [--days N] [--dry-run]               drop expired raw-event partitions now
//   cinerec sync-dimensions [--full]                       users_dim / movies_dim / account_events now
//   cinerec rollup [--days N]                              seal closed days into the daily rollups now
#include <string>

namespace CLI {
class App;
}

namespace cinerec {

struct Config;

struct ExportHistoryArgs {
  std::string date, from, to;  // YYYY-MM-DD; from..to inclusive
};
// Registers `history` under the `export` command.
CLI::App* AddExportHistoryCommand(CLI::App& export_command, ExportHistoryArgs& args);
int RunExportHistory(const Config& config, const ExportHistoryArgs& args);

struct ReportArgs {
  std::string from, to, granularity = "day";
  int repeat = 0;  // > 0: run every report this many times and print latency percentiles instead (bench)
  bool no_rollups = false;  // raw tables only (the answers are the same; for comparing speed)
};
CLI::App* AddReportCommand(CLI::App& app, ReportArgs& args);
int RunReport(const Config& config, const ReportArgs& args);

struct RetentionArgs {
  int days = -1;  // < 0: analytics.raw_retention_days
  bool dry_run = false;
};
CLI::App* AddRetentionCommand(CLI::App& app, RetentionArgs& args);
int RunRetention(const Config& config, const RetentionArgs& args);

struct SyncDimensionsArgs {
  bool full = false;
};
CLI::App* AddSyncDimensionsCommand(CLI::App& app, SyncDimensionsArgs& args);
int RunSyncDimensions(const Config& config, const SyncDimensionsArgs& args);

struct RollupArgs {
  int days = -1;  // < 0: analytics.max_range_days
};
CLI::App* AddRollupCommand(CLI::App& app, RollupArgs& args);
int RunRollup(const Config& config, const RollupArgs& args);

}  // namespace cinerec
