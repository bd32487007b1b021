#include <spdlog/spdlog.h>

#include "app/commands.h"
#include "app/stores.h"
#include "common/config.h"
#include "ingest/store_writer.h"
#include "migrate/migrations.h"
#include "storage/s3/object_store.h"

namespace cinerec {

int RunMigrate(const Config& config) {
  auto stores = Stores::Connect(config);
  auto result = Migrate(*stores.postgres, stores.clickhouse.get());
  // A bulk load killed before its end leaves views and reactions without their secondary indexes and
  // foreign keys (docs/import.md): bring the schema back to what the migrations declare.
  for (const auto& name : ingest::RestoreAfterInterruptedLoad(*stores.postgres))
    spdlog::warn("migrate: restored {} (left out by an interrupted bulk load)", name);
  stores.s3->CreateBucket();
  auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names)
      out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? std::string("up to date") : "applied " + out;
  };
  spdlog::info("migrate: postgres {}; clickhouse {} (database {}); s3 bucket {} ready", list(result.postgres),
               list(result.clickhouse), config.clickhouse.database, config.s3.bucket);
  return 0;
}

}  // namespace cinerec
