#pragma once
// The fixture the rollup integration tests share: one ClickHouse database, the analytics service reading the
// rollups and the same service reading the raw tables only (the answers must be equal), merges of the raw
// tables stopped — a background merge collapsing copies of an event changes a sealed day's fingerprint too
// (safe: the day reads raw until re-sealed), which would make the tests' coverage assertions depend on
// timing.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "analytics/analytics_service.h"
#include "analytics/analytics_test_support.h"
#include "analytics/rollups.h"

namespace cinerec::analytics::testing {

class RollupComparisonTest : public ::testing::Test {
 protected:
  // `raw_tables`: the event tables whose merges stop. `lookback_days`: JobOptions' (closed days checked).
  RollupComparisonTest(std::initializer_list<const char*> raw_tables, int lookback_days)
      : rollups_(db_.client(), ServiceOptions{}),
        raw_(db_.client(), RawOnly()),
        lookback_days_(lookback_days) {
    for (const char* table : raw_tables)
      db_.client().Query("SYSTEM STOP MERGES " + db_.config().clickhouse.database + "." + table);
  }

  static ServiceOptions RawOnly() {
    ServiceOptions options;
    options.use_rollups = false;
    return options;
  }
  RollupJobOptions JobOptions() const {
    RollupJobOptions options;
    options.lookback_days = lookback_days_;
    return options;
  }

  ClickHouseDatabase db_;
  AnalyticsService rollups_;
  AnalyticsService raw_;

 private:
  int lookback_days_;
};

}  // namespace cinerec::analytics::testing
