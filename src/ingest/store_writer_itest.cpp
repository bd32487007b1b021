// The StoreWriter's fast paths against the real stores: bulk mode (indexes and foreign keys dropped and
// rebuilt), direct COPY into empty tables and its fall-back to staging, and the repair of an interrupted
// bulk load. Each writes exactly what the plain staging path writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/commands.h"
#include "app/stores.h"
#include "common/config.h"
#include "ingest/bulk_schema.h"
#include "ingest/generator.h"
#include "ingest/movielens_import.h"
#include "ingest/progress.h"
#include "ingest/store_sink.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using namespace ingest;

constexpr std::int64_t kEnd = 1767225600;  // 2026-01-01

WriteCounts GenerateInto(Stores& stores, WriterOptions options) {
  options.source = "synth";
  StoreWriter writer(*stores.postgres, *stores.clickhouse, options);
  writer.Begin();
  Progress progress("generate", 0);
  StoreSink sink(writer, progress, 0);
  Generate(GeneratorOptions{300, 120, 6000, 11, 90, kEnd}, sink);
  writer.Finish();
  return writer.counts();
}

// Every column that the writer sets, in key order: equal digests mean equal tables.
std::string Digest(PgPool& pg) {
  return std::string(
             pg.Exec(
                   "SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s', user_id, movie_id, session_key, "
                   "started_at, last_event_at, watched_s, completed, device), ',' ORDER BY user_id, "
                   "session_key)) FROM views")
                 .Get(0, 0))
         + "/"
         + std::string(pg.Exec("SELECT md5(string_agg(format('%s|%s|%s|%s|%s', user_id, movie_id, value, "
                               "event_time, event_id), ',' ORDER BY user_id, movie_id)) FROM reactions")
                           .Get(0, 0));
}

// Names of the deferred objects present (and, for foreign keys, validated).
std::string Deferrable(PgPool& pg) {
  return std::string(
      pg.Exec("SELECT string_agg(name, ',' ORDER BY name) FROM ("
              " SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
              "  WHERE i.indrelid IN ('views'::regclass, 'reactions'::regclass) AND NOT i.indisunique"
              " UNION ALL SELECT conname FROM pg_constraint WHERE contype = 'f' AND convalidated"
              "  AND conrelid IN ('views'::regclass, 'reactions'::regclass)) o")
          .Get(0, 0));
}

// The event ids in ClickHouse, as one number per table: equal sums mean the same ids (with the same counts).
std::string EventIds(ClickHouseClient& ch) {
  return ch.Query("SELECT sum(cityHash64(toString(event_id))) FROM watch_events FORMAT TabSeparated") + "/"
         + ch.Query("SELECT sum(cityHash64(toString(event_id))) FROM ui_events FORMAT TabSeparated");
}

constexpr const char* kAllDeferrable =
    "reactions_movie_id_fkey,reactions_movie_id_idx,reactions_user_id_fkey,views_movie_id_fkey,"
    "views_movie_started_idx,views_user_id_fkey,views_user_started_idx";

TEST(StoreWriterFastPathsTest, BulkAndDirectWriteWhatStagingWrites) {
  auto plain_stores = Stores::Connect(testing::IsolatedConfig());
  WriterOptions plain;
  plain.connections = 1;
  plain.direct_copy = false;
  plain.chunk_rows = 700;
  auto p = GenerateInto(plain_stores, plain);
  EXPECT_FALSE(p.bulk);
  EXPECT_FALSE(p.direct);

  auto stores = Stores::Connect(testing::IsolatedConfig());
  WriterOptions fast;
  fast.chunk_rows = 700;
  fast.clickhouse_batch = 2000;
  fast.expected_interactions = 6000;
  fast.bulk_threshold = 1000;
  auto f = GenerateInto(stores, fast);
  EXPECT_TRUE(f.bulk);
  EXPECT_TRUE(f.direct);
  EXPECT_EQ(f.direct_fallbacks, 0u);  // chunks end at user boundaries: no key repeats across them
  EXPECT_EQ(f.views, 6000u);
  EXPECT_EQ(f.watch_events, 12000u);
  EXPECT_EQ(f.ui_events, p.ui_events);
  EXPECT_EQ(Digest(*stores.postgres), Digest(*plain_stores.postgres));
  EXPECT_EQ(EventIds(*stores.clickhouse), EventIds(*plain_stores.clickhouse));  // batched differently
  EXPECT_EQ(Deferrable(*stores.postgres), kAllDeferrable);
  EXPECT_EQ(std::stoll(
                stores.clickhouse->Query("SELECT uniqExact(event_id) FROM watch_events FORMAT TabSeparated")),
            12000);

  // A re-run finds everything there: no bulk mode (views would not double), no direct COPY, nothing added.
  auto again = GenerateInto(stores, fast);
  EXPECT_FALSE(again.bulk);
  EXPECT_FALSE(again.direct);
  EXPECT_EQ(again.users + again.movies + again.views + again.reactions, 0u);
  EXPECT_EQ(Digest(*stores.postgres), Digest(*plain_stores.postgres));
}

TEST(StoreWriterFastPathsTest, AnInterruptedBulkLoadIsRepairedByTheNextRun) {
  const auto config = testing::IsolatedConfig();
  auto stores = Stores::Connect(config);
  WriterOptions options;
  options.chunk_rows = 1000;
  GenerateInto(stores, options);
  {
    auto lease = stores.postgres->Acquire();
    ASSERT_TRUE(DropDeferred(*lease));  // what a load killed after its start leaves behind
  }
  EXPECT_EQ(Deferrable(*stores.postgres), "");
  auto restored = RestoreAfterInterruptedLoad(*stores.postgres);
  EXPECT_EQ(restored.size(), 7u);
  EXPECT_EQ(Deferrable(*stores.postgres), kAllDeferrable);
  EXPECT_TRUE(RestoreAfterInterruptedLoad(*stores.postgres).empty());
  // The pooled connection keeps its statement timeout.
  EXPECT_NE(std::string(stores.postgres->Exec("SHOW statement_timeout").Get(0, 0)), "0");

  // `cinerec migrate` repairs it too.
  {
    auto lease = stores.postgres->Acquire();
    ASSERT_TRUE(DropDeferred(*lease));
  }
  EXPECT_EQ(RunMigrate(config), 0);
  EXPECT_EQ(Deferrable(*stores.postgres), kAllDeferrable);

  // The writer repairs it too, before writing.
  {
    auto lease = stores.postgres->Acquire();
    ASSERT_TRUE(DropDeferred(*lease));
  }
  auto again = GenerateInto(stores, options);
  EXPECT_EQ(again.restored.size(), 7u);
  EXPECT_EQ(again.views, 0u);
  EXPECT_EQ(Deferrable(*stores.postgres), kAllDeferrable);
  // The foreign keys are back in force.
  try {
    stores.postgres->Exec(
        "INSERT INTO views (user_id, movie_id, session_key, started_at, last_event_at) "
        "VALUES (1, 999999, 'x', now(), now())");
    FAIL() << "a view of a missing movie was accepted";
  } catch (const PgQueryError& e) {
    EXPECT_TRUE(e.is_foreign_key_violation()) << e.what();
  }
}

// A ratings file listing a user's ratings twice, far apart: the second chunk meets rows of the first, and
// goes through staging (views: first kept; reactions: the later rating wins).
TEST(StoreWriterFastPathsTest, DirectCopyFallsBackToStagingOnExistingRows) {
  auto dir = std::filesystem::temp_directory_path() / ("cinerec-direct-" + testing::UniqueName());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "movies.csv") << "movieId,title,genres\n1,One (1999),Drama\n2,Two (2001),Comedy\n";
  std::ofstream(dir / "ratings.csv") << "userId,movieId,rating,timestamp\n"
                                        "1,1,4.0,100\n1,2,3.0,200\n"
                                        "2,1,5.0,300\n2,2,2.0,300\n"
                                        "1,1,4.0,100\n1,2,1.0,250\n";
  auto stores = Stores::Connect(testing::IsolatedConfig());
  auto import = [&] {
    auto source = OpenMovieLens(dir.string(), "", {});
    WriterOptions options;
    options.source = source->format();
    options.chunk_rows = 2;
    StoreWriter writer(*stores.postgres, *stores.clickhouse, options);
    writer.Begin();
    ImportMovieLens(*source, writer, RatingMapping{});
    return writer.counts();
  };
  auto first = import();
  EXPECT_TRUE(first.direct);
  EXPECT_GE(first.direct_fallbacks, 1u);
  auto& pg = *stores.postgres;
  EXPECT_EQ(first.views, 5u);  // five distinct (user, movie, time)
  EXPECT_EQ(pg.Exec("SELECT count(*) FROM views").GetInt(0, 0), 5);
  EXPECT_EQ(pg.Exec("SELECT count(*) FROM reactions").GetInt(0, 0), 4);
  EXPECT_EQ(pg.Exec("SELECT value FROM reactions WHERE user_id = 1 AND movie_id = 2").GetInt(0, 0), -1);
  EXPECT_EQ(pg.Exec("SELECT value FROM reactions WHERE user_id = 2 AND movie_id = 2").GetInt(0, 0), -1);
  EXPECT_EQ(std::stoll(
                stores.clickhouse->Query("SELECT uniqExact(event_id) FROM watch_events FORMAT TabSeparated")),
            10);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cinerec
