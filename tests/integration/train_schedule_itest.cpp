// The trainer lock and scheduled training on the test stack: a second trainer (or model-store writer) refuses
// while another session holds the lock, naming the holder; the scheduler trains when there is no model or
// enough new data, and leaves a published model alone otherwise.
#include <gtest/gtest.h>

#include "app/stores.h"
#include "app/train_scheduler.h"
#include "common/config.h"
#include "modelstore/model_store.h"
#include "storage/postgres/pg_pool.h"
#include "storage/s3/object_store.h"
#include "support/cli_run.h"
#include "support/test_env.h"
#include "training/trainer_lock.h"

namespace cinerec {
namespace {

// 40 users completing 6 of 12 movies each.
void Data(PgPool& pg, int first_user, int users) {
  pg.Exec(
      "INSERT INTO users (id, email, display_name) SELECT g, 'u' || g || '@x.test', 'U' || g "
      "FROM generate_series($1::int, $2::int) g",
      PgParams(first_user, first_user + users - 1));
  pg.Exec(
      "INSERT INTO movies (id, title, duration_s) SELECT g, 'M' || g, 1000 FROM generate_series(1, 12) g "
      "ON CONFLICT DO NOTHING");
  pg.Exec(
      "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at, watched_s, completed) "
      "SELECT u, (u + n * 2) % 12 + 1, 's' || n, '2026-01-01'::timestamptz + n * interval '1 day', "
      "'2026-01-01'::timestamptz + n * interval '1 day', 1000, true "
      "FROM generate_series($1::int, $2::int) u, generate_series(0, 5) n",
      PgParams(first_user, first_user + users - 1));
}

constexpr const char* kFast = "--factors 4 --iterations 2 --ease off --threads 1 --no-features";

TEST(TrainScheduleTest, ALockedTrainerRefusesAndNamesTheHolder) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  Data(pg, 1, 40);
  std::string holder;
  auto lock = training::TrainerLock::TryAcquire(config.postgres, "lock holder of the test", &holder);
  ASSERT_TRUE(lock);
  // A second session of the same process is refused too: the lock is per session, not per process.
  EXPECT_FALSE(training::TrainerLock::TryAcquire(config.postgres, "second", &holder));
  EXPECT_NE(holder.find("lock holder of the test"), std::string::npos) << holder;

  const auto train = testing::RunCinerec(config, std::string("train ") + kFast);
  EXPECT_EQ(train.code, training::kLockedExitCode) << train.output;
  EXPECT_NE(train.output.find("another trainer holds the training lock: lock holder of the test"),
            std::string::npos)
      << train.output;
  EXPECT_EQ(train.output.find("read:"), std::string::npos) << "refused before reading: " << train.output;
  const auto retain = testing::RunCinerec(config, "models retain 3");
  EXPECT_EQ(retain.code, training::kLockedExitCode) << retain.output;
  const auto list = testing::RunCinerec(config, "models list");  // readers take no lock
  EXPECT_EQ(list.code, 0) << list.output;

  lock.reset();  // released: the next trainer runs
  const auto again = testing::RunCinerec(config, std::string("train ") + kFast);
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(training::TrainerLock::TryAcquire(config.postgres, "after", nullptr)) << "released at exit";
}

TEST(TrainScheduleTest, SchedulerTrainsOnlyWhenEnoughNewData) {
  auto config = testing::IsolatedConfig();
  PgPool pg(config.postgres);
  Data(pg, 1, 40);         // 240 views
  TrainScheduleArgs args;  // no `every`: no thread, RunOnce by hand
  args.min_new = 30;
  args.train_args = kFast;
  args.binary = CINEREC_BINARY;
  TrainScheduler scheduler(config, args);
  auto stores = Stores::Connect(config);
  modelstore::ModelStore store(*stores.s3);

  EXPECT_EQ(scheduler.RunOnce(), TrainScheduler::Outcome::kTrained);  // no model yet
  const auto first = store.Latest();
  ASSERT_TRUE(first);
  EXPECT_EQ(scheduler.RunOnce(), TrainScheduler::Outcome::kUpToDate);
  Data(pg, 41, 4);  // 24 new views: below 30
  EXPECT_EQ(scheduler.RunOnce(), TrainScheduler::Outcome::kUpToDate);
  EXPECT_EQ(store.Latest(), first);

  {
    auto lock = training::TrainerLock::TryAcquire(config.postgres, "another node", nullptr);
    ASSERT_TRUE(lock);
    Data(pg, 45, 2);  // 36 new views in all: due, but another trainer runs
    EXPECT_EQ(scheduler.RunOnce(), TrainScheduler::Outcome::kLocked);
    EXPECT_EQ(store.Latest(), first);
  }
  EXPECT_EQ(scheduler.RunOnce(), TrainScheduler::Outcome::kTrained);
  const auto second = store.Latest();
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  EXPECT_EQ(store.Show(*second).data.at("views").as_int64(), 276);
  EXPECT_EQ(scheduler.RunOnce(), TrainScheduler::Outcome::kUpToDate);
}

}  // namespace
}  // namespace cinerec
