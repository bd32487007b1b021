#pragma once
// AnalyticsModule: the analytics role of `cinerec serve`, assembled — the report service and its routes, and
// one background thread for the scheduled jobs:
//  - dimension sync (users_dim, movies_dim, account_events from PostgreSQL): changed rows every
//    analytics.dimension_sync_interval_s, every row every analytics.dimension_full_refresh_s;
//  - retention: drops expired raw-event partitions every analytics.retention_interval_s;
//  - rollups: seals closed days into the daily rollups the reports read (analytics/rollups.h) every
//    analytics.rollup_interval_s (0 = never);
//  - history export (analytics.export_daily): yesterday's history to S3 once its day is over, unless its
//    manifest is already there.
// A job that fails (a store down) is logged and tried again at its next turn; it never stops the others.
// Every job is idempotent, so several serve processes may run them at once.
#include <chrono>
#include <memory>

namespace cinerec {

struct Config;
struct Stores;
class Authenticator;
namespace http {
class Router;
}

class AnalyticsModule {
 public:
  // Starts the scheduler thread. REQUIRES: config and stores outlive the module.
  AnalyticsModule(const Config& config, Stores& stores);
  ~AnalyticsModule();  // stops the scheduler
  AnalyticsModule(const AnalyticsModule&) = delete;
  AnalyticsModule& operator=(const AnalyticsModule&) = delete;

  void RegisterRoutes(http::Router& router, Authenticator& auth);
  void Stop();  // idempotent

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace cinerec
