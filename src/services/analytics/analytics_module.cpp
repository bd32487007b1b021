#include "services/analytics/analytics_module.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "analytics/analytics_service.h"
#include "analytics/dimension_sync.h"
#include "analytics/history_export.h"
#include "analytics/report_request.h"
#include "analytics/retention.h"
#include "analytics/rollups.h"
#include "app/stores.h"
#include "common/config.h"
#include "services/analytics/analytics_routes.h"
#include "storage/s3/object_store.h"

namespace cinerec {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs `job`, logging instead of throwing: one failing store must not stop the scheduler.
template <typename Job>
void RunLogged(const char* name, Job&& job) {
  try {
    job();
  } catch (const std::exception& e) {
    spdlog::warn("analytics: {} failed, retried at its next turn: {}", name, e.what());
  }
}

}  // namespace

struct AnalyticsModule::Parts {
  Parts(const Config& c, Stores& s)
      : config(c),
        stores(s),
        service(*s.clickhouse,
                analytics::ServiceOptions{.conversion_window_s = c.analytics.conversion_window_s,
                                          .search_window_s = c.analytics.search_window_s,
                                          .completion_threshold = c.collect.completion_threshold}),
        sync(*s.postgres, *s.clickhouse) {}

  void Loop() {
    const auto& a = config.analytics;
    auto next_sync = Clock::now(),
         next_full = Clock::now() + std::chrono::seconds(a.dimension_full_refresh_s),
         next_retention = Clock::now() + std::chrono::seconds(60),  // let the server settle first
        next_rollup = Clock::now() + std::chrono::seconds(90);
    std::int64_t exported_day = -1;
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      const auto now = Clock::now();
      if (now >= next_full) {
        RunLogged("dimension full refresh", [this] { sync.FullRefresh(); });
        next_full = now + std::chrono::seconds(a.dimension_full_refresh_s);
        next_sync = now + std::chrono::seconds(a.dimension_sync_interval_s);
      } else if (now >= next_sync) {
        RunLogged("dimension sync", [this] { sync.SyncChanges(); });
        next_sync = now + std::chrono::seconds(a.dimension_sync_interval_s);
      }
      if (now >= next_retention) {
        RunLogged("retention", [this] {
          analytics::DropExpiredPartitions(*stores.clickhouse, config.analytics.raw_retention_days,
                                           NowSeconds());
        });
        next_retention = now + std::chrono::seconds(a.retention_interval_s);
      }
      if (a.rollup_interval_s > 0 && now >= next_rollup) {
        RunLogged("rollup", [this] {
          auto options = analytics::RollupOptionsOf(config);
          options.max_days_per_run = 48;  // a first run over a long history spreads over several turns
          const auto result = analytics::SealClosedDays(*stores.clickhouse, options, NowSeconds());
          if (result.days_sealed > 0) spdlog::info("analytics: rollup sealed {} day(s)", result.days_sealed);
        });
        next_rollup = now + std::chrono::seconds(a.rollup_interval_s);
      }
      if (a.export_daily) {
        // Yesterday, once an hour has passed since midnight UTC (late events of the day have arrived).
        const std::int64_t yesterday = (NowSeconds() - 3600) / 86400 * 86400 - 86400;
        if (yesterday != exported_day) {
          RunLogged("history export", [&] {
            analytics::HistoryExportOptions options;
            options.window_s = config.analytics.conversion_window_s;
            options.completion_threshold = config.collect.completion_threshold;
            const std::string manifest =
                options.prefix + analytics::FormatTime(yesterday).substr(0, 10) + "/_manifest.json";
            if (!stores.s3->Head(manifest))
              analytics::ExportHistoryDay(*stores.clickhouse, *stores.s3, yesterday, options);
            exported_day = yesterday;
          });
        }
      }
      lock.lock();
      wake.wait_for(lock, std::chrono::seconds(1), [this] { return stopping; });
    }
  }

  const Config& config;
  Stores& stores;
  analytics::AnalyticsService service;
  analytics::DimensionSync sync;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;  // GUARDED_BY(mutex)
  std::thread scheduler;
};

AnalyticsModule::AnalyticsModule(const Config& config, Stores& stores)
    : parts_(std::make_unique<Parts>(config, stores)) {
  parts_->scheduler = std::thread([this] { parts_->Loop(); });
}

AnalyticsModule::~AnalyticsModule() {
  Stop();
}

void AnalyticsModule::Stop() {
  {
    std::lock_guard lock(parts_->mutex);
    parts_->stopping = true;
  }
  parts_->wake.notify_all();
  if (parts_->scheduler.joinable()) parts_->scheduler.join();
}

void AnalyticsModule::RegisterRoutes(http::Router& router, Authenticator& auth) {
  RegisterAnalyticsRoutes(router, parts_->service, parts_->config.analytics, auth);
}

}  // namespace cinerec
