// `cinerec import` against the real stores: each fixture set lands with the counts of its files in
// PostgreSQL and ClickHouse, a re-run adds nothing, a non-empty database is refused without --remap-ids.
#include <gtest/gtest.h>

#include <set>

#include "app/stores.h"
#include "common/config.h"
#include "ingest/generator.h"
#include "ingest/movielens_import.h"
#include "ingest/progress.h"
#include "ingest/store_sink.h"
#include "ingest/text.h"
#include "storage/clickhouse/clickhouse_client.h"
#include "storage/clickhouse/in_memory_clickhouse.h"
#include "storage/postgres/pg_pool.h"
#include "support/test_env.h"

namespace cinerec {
namespace {

using namespace ingest;

std::string Fixture(const std::string& name) {
  return std::string(CINEREC_SOURCE_DIR) + "/tests/fixtures/movielens/" + name;
}

struct Expected {
  const char* dir;
  std::int64_t users, movies, movie_genres, views, reactions;
};

struct Counts {
  std::int64_t users, movies, movie_genres, views, reactions, watch_events, ui_events;
};

std::int64_t PgCount(PgPool& pg, const std::string& table) {
  return pg.Exec("SELECT count(*) FROM " + table).GetInt(0, 0);
}

std::int64_t ChUniq(ClickHouseClient& ch, const std::string& table) {
  return std::stoll(ch.Query("SELECT uniqExact(event_id) FROM " + table + " FORMAT TabSeparated"));
}

Counts Count(Stores& stores) {
  auto& pg = *stores.postgres;
  return {PgCount(pg, "users"),
          PgCount(pg, "movies"),
          PgCount(pg, "movie_genres"),
          PgCount(pg, "views"),
          PgCount(pg, "reactions"),
          ChUniq(*stores.clickhouse, "watch_events"),
          ChUniq(*stores.clickhouse, "ui_events")};
}

WriteCounts Import(Stores& stores, const std::string& dir, bool remap = false) {
  auto source = OpenMovieLens(Fixture(dir), "", {});
  WriterOptions options;
  options.source = source->format();
  options.remap_ids = remap;
  options.chunk_rows = 4;  // several chunks even on tiny files
  StoreWriter writer(*stores.postgres, *stores.clickhouse, options);
  writer.Begin();
  ImportMovieLens(*source, writer, RatingMapping{});
  return writer.counts();
}

class IngestImportTest : public ::testing::TestWithParam<Expected> {};

TEST_P(IngestImportTest, CountsMatchTheFilesAndAReRunAddsNothing) {
  const auto& e = GetParam();
  auto stores = Stores::Connect(testing::IsolatedConfig());
  auto first = Import(stores, e.dir);
  EXPECT_EQ(first.views, static_cast<std::uint64_t>(e.views));
  auto c = Count(stores);
  EXPECT_EQ(c.users, e.users);
  EXPECT_EQ(c.movies, e.movies);
  EXPECT_EQ(c.movie_genres, e.movie_genres);
  EXPECT_EQ(c.views, e.views);
  EXPECT_EQ(c.reactions, e.reactions);
  EXPECT_EQ(c.watch_events, 2 * e.views);  // a view_start and a view_stop per rating
  EXPECT_EQ(c.ui_events, e.reactions);

  auto again = Import(stores, e.dir);
  EXPECT_EQ(again.users + again.movies + again.movie_genres + again.views + again.reactions, 0u);
  auto c2 = Count(stores);
  EXPECT_EQ(c2.users, c.users);
  EXPECT_EQ(c2.views, c.views);
  EXPECT_EQ(c2.reactions, c.reactions);
  EXPECT_EQ(c2.watch_events, c.watch_events);
  EXPECT_EQ(c2.ui_events, c.ui_events);

  // The id sequences moved past the imported ids: a sign-up gets a fresh id.
  auto max_id = stores.postgres->Exec("SELECT max(id) FROM users").GetInt(0, 0);
  auto id =
      stores.postgres
          ->Exec("INSERT INTO users (email, display_name) VALUES ('new@example.com', 'New') RETURNING id")
          .GetInt(0, 0);
  EXPECT_GT(id, max_id);
  // Views and events agree per user.
  auto pg_views = stores.postgres->Exec("SELECT count(*) FROM views WHERE user_id = 1").GetInt(0, 0);
  auto ch_stops = std::stoll(stores.clickhouse->Query(
      "SELECT uniqExact(event_id) FROM watch_events WHERE user_id = 1 AND event_type = 'view_stop' FORMAT "
      "TabSeparated"));
  EXPECT_EQ(pg_views, ch_stops);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, IngestImportTest,
                         ::testing::Values(Expected{"ml-100k", 3, 4, 10, 6, 5},
                                           Expected{"ml-1m", 2, 3, 8, 5, 4},
                                           Expected{"ml-latest-small", 4, 5, 13, 7, 5}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.dir;
                           for (auto& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

TEST(IngestImportDetailsTest, Latin1TitlesLinksAndReactions) {
  auto stores = Stores::Connect(testing::IsolatedConfig());
  Import(stores, "ml-latest-small");
  auto& pg = *stores.postgres;
  EXPECT_EQ(pg.Exec("SELECT title FROM movies WHERE id = 50").Get(0, 0),
            "Usual Suspects, The \"Director's Cut\"");
  EXPECT_EQ(pg.Exec("SELECT extra->'ids'->>'imdb' FROM movies WHERE id = 1").Get(0, 0), "tt0114709");
  EXPECT_EQ(pg.Exec("SELECT extra->'ids'->>'tmdb' FROM movies WHERE id = 1").Get(0, 0), "862");
  EXPECT_EQ(pg.Exec("SELECT extra->>'tags' FROM movies WHERE id = 1").Get(0, 0),
            "[\"pixar, fun\", \"pixar\"]");
  EXPECT_EQ(pg.Exec("SELECT value FROM reactions WHERE user_id = 2 AND movie_id = 300").GetInt(0, 0), -1);
  EXPECT_EQ(pg.Exec("SELECT count(*) FROM views WHERE completed").GetInt(0, 0), 7);
  EXPECT_EQ(pg.Exec("SELECT email FROM users WHERE id = 7").Get(0, 0), "ml-latest-user-7@import.invalid");
  EXPECT_EQ(
      pg.Exec("SELECT string_agg(g.name, ',' ORDER BY g.name) FROM movie_genres mg JOIN genres g ON g.id = "
              "mg.genre_id WHERE mg.movie_id = 1")
          .Get(0, 0),
      "Adventure,Animation,Children,Comedy,Fantasy");

  auto stores2 = Stores::Connect(testing::IsolatedConfig());
  auto counts = Import(stores2, "ml-100k");
  EXPECT_EQ(stores2.postgres->Exec("SELECT title FROM movies WHERE id = 2").Get(0, 0), "L\xc3\xa9on");
  EXPECT_EQ(stores2.postgres->Exec("SELECT year FROM movies WHERE id = 2").GetInt(0, 0), 1994);
  EXPECT_TRUE(counts.unknown_genres.empty());
}

TEST(IngestImportDetailsTest, NonEmptyDatabaseNeedsRemapIds) {
  auto stores = Stores::Connect(testing::IsolatedConfig());
  Import(stores, "ml-100k");
  try {
    Import(stores, "ml-1m");
    FAIL() << "imported into a non-empty database";
  } catch (const TargetNotEmpty& e) {
    EXPECT_NE(std::string(e.what()).find("--remap-ids"), std::string::npos) << e.what();
  }
  EXPECT_EQ(PgCount(*stores.postgres, "movies"), 4);

  auto remapped = Import(stores, "ml-1m", true);
  EXPECT_EQ(remapped.movies, 3u);
  EXPECT_EQ(remapped.views, 5u);
  auto c = Count(stores);
  EXPECT_EQ(c.users, 3 + 2);
  EXPECT_EQ(c.movies, 4 + 3);
  EXPECT_EQ(c.views, 6 + 5);
  EXPECT_EQ(c.watch_events, 2 * (6 + 5));
  EXPECT_EQ(stores.postgres->Exec("SELECT title FROM movies WHERE external_id = 'ml-1m:2'").Get(0, 0),
            "Caf\xc3\xa9 au lait");
  // The remapped movie got a new id, past ml-100k's.
  EXPECT_GT(stores.postgres->Exec("SELECT id FROM movies WHERE external_id = 'ml-1m:1'").GetInt(0, 0), 4);
  // Re-running the remapped import adds nothing either.
  auto again = Import(stores, "ml-1m", true);
  EXPECT_EQ(again.users + again.movies + again.views + again.reactions, 0u);
  EXPECT_EQ(Count(stores).views, 11);
}

TEST(IngestImportDetailsTest, MalformedRowNamesFileAndLine) {
  auto stores = Stores::Connect(testing::IsolatedConfig());
  try {
    Import(stores, "ml-latest-bad");
    FAIL() << "no error";
  } catch (const IngestError& e) {
    EXPECT_NE(std::string(e.what()).find("ratings.csv:3:"), std::string::npos) << e.what();
  }
}

TEST(IngestGenerateTest, StreamsIntoTheStoresAndReRunAddsNothing) {
  auto stores = Stores::Connect(testing::IsolatedConfig());
  auto run = [&] {
    WriterOptions options;
    options.source = "synth";
    options.chunk_rows = 1000;
    StoreWriter writer(*stores.postgres, *stores.clickhouse, options);
    writer.Begin();
    Progress progress("generate", 3000);
    StoreSink sink(writer, progress, 3000);
    Generate(GeneratorOptions{200, 100, 3000, 5, 60, 1767225600}, sink);
    writer.Finish();
    return writer.counts();
  };
  auto first = run();
  EXPECT_EQ(first.users, 200u);
  EXPECT_EQ(first.movies, 100u);
  EXPECT_EQ(first.views, 3000u);
  auto c = Count(stores);
  EXPECT_EQ(c.views, 3000);
  EXPECT_EQ(c.watch_events, 6000);
  EXPECT_GT(c.reactions, 300);
  EXPECT_GT(
      stores.postgres->Exec("SELECT count(*) FROM views WHERE NOT completed AND watched_s > 0").GetInt(0, 0),
      100);
  auto again = run();
  EXPECT_EQ(again.users + again.movies + again.views + again.reactions, 0u);
  EXPECT_EQ(Count(stores).watch_events, 6000);
}

// Current ClickHouse refuses an insert spanning more than 100 monthly partitions; histories span decades.
TEST(IngestGenerateTest, EachClickHouseInsertSpansAtMost90Months) {
  auto config = testing::IsolatedConfig();
  PgPool postgres(config.postgres);
  InMemoryClickHouse clickhouse;
  WriterOptions options;
  options.source = "synth";
  options.chunk_rows = 100000;  // one chunk
  StoreWriter writer(postgres, clickhouse, options);
  writer.Begin();
  Progress progress("generate", 0);
  StoreSink sink(writer, progress, 0);
  Generate(GeneratorOptions{50, 50, 4000, 3, 20 * 365, 1767225600}, sink);  // 20 years
  writer.Finish();
  std::set<std::string> all_months;
  std::size_t rows = 0;
  for (const auto& call : clickhouse.Inserts("watch_events")) {
    std::set<std::string> months;
    for (const auto& line : InMemoryClickHouse::SplitLines(call.rows)) {
      auto at = line.find("\"event_time\":\"");
      ASSERT_NE(at, std::string::npos);
      months.insert(line.substr(at + 14, 7));
      ++rows;
    }
    EXPECT_LE(months.size(), 90u);
    all_months.insert(months.begin(), months.end());
  }
  EXPECT_GT(all_months.size(), 100u);
  EXPECT_EQ(rows, 8000u);
  EXPECT_EQ(clickhouse.RowCount("ui_events"), writer.counts().ui_events);
}

}  // namespace
}  // namespace cinerec
