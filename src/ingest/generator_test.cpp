#include "ingest/generator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "common/tab_separated.h"
#include "ingest/csv_sink.h"
#include "ingest/event_ids.h"
#include "ingest/pg_copy_writer.h"

namespace cinerec::ingest {
namespace {

constexpr std::int64_t kEnd = 1767225600;  // 2026-01-01

struct Recorder final : GeneratorSink {
  std::vector<MovieRecord> movies;
  std::vector<std::int64_t> users;
  std::vector<Interaction> interactions;
  void OnMovie(MovieRecord&& m) override { movies.push_back(std::move(m)); }
  void OnUser(std::int64_t id) override { users.push_back(id); }
  void OnInteraction(const Interaction& i) override { interactions.push_back(i); }
};

Recorder GenerateAll(std::uint64_t seed) {
  Recorder r;
  Generate(GeneratorOptions{300, 200, 5000, seed, 90, kEnd}, r);
  return r;
}

std::string Key(const Interaction& i) {
  return std::to_string(i.user) + "/" + std::to_string(i.movie) + "/" + std::to_string(i.stop_time) + "/"
         + std::to_string(i.watched_s) + "/" + std::to_string(i.reaction) + "/" + i.session_key;
}

TEST(GeneratorTest, SameSeedSameRecordsDifferentSeedDifferent) {
  auto a = GenerateAll(7), b = GenerateAll(7), c = GenerateAll(8);
  ASSERT_EQ(a.interactions.size(), 5000u);
  ASSERT_EQ(b.interactions.size(), 5000u);
  for (std::size_t i = 0; i < 1000; ++i)
    ASSERT_EQ(Key(a.interactions[i]), Key(b.interactions[i])) << i;
  for (std::size_t i = 0; i < a.movies.size(); ++i)
    ASSERT_EQ(a.movies[i].title + a.movies[i].description, b.movies[i].title + b.movies[i].description);
  int same = 0;
  for (std::size_t i = 0; i < 1000; ++i)
    same += Key(a.interactions[i]).substr(0, 20) == Key(c.interactions[i]).substr(0, 20);
  EXPECT_LT(same, 100);
}

TEST(GeneratorTest, HasTheRealisticStructure) {
  auto r = GenerateAll(1);
  EXPECT_EQ(r.movies.size(), 200u);
  EXPECT_EQ(r.users.size(), 300u);
  std::map<std::int64_t, int> views;
  int partial = 0, likes = 0, dislikes = 0;
  std::set<std::string> keys;
  for (const auto& i : r.interactions) {
    ++views[i.movie];
    partial += !i.completed;
    likes += i.reaction > 0;
    dislikes += i.reaction < 0;
    EXPECT_LE(i.stop_time, kEnd);
    EXPECT_GE(i.stop_time - i.watched_s, kEnd - 90 * 86400 - 1);
    EXPECT_TRUE(keys.insert(i.session_key).second);
  }
  for (const auto& m : r.movies) {
    EXPECT_GE(m.genres.size(), 1u);
    EXPECT_LE(m.genres.size(), 3u);
    EXPECT_FALSE(m.title.empty());
    EXPECT_GT(*m.duration_s, 0);
  }
  // Power law: the top 10% of movies get far more than 10% of the views.
  std::vector<int> counts;
  for (auto& [m, n] : views)
    counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  int top = 0;
  for (std::size_t i = 0; i < 20 && i < counts.size(); ++i)
    top += counts[i];
  EXPECT_GT(top, 5000 * 3 / 10);
  EXPECT_GT(partial, 250);
  EXPECT_GT(likes, 500);
  EXPECT_GT(dislikes, 100);
}

TEST(GeneratorTest, RejectsEmptySizes) {
  Recorder r;
  EXPECT_THROW(Generate(GeneratorOptions{0, 10, 10, 1, 30, kEnd}, r), std::invalid_argument);
}

TEST(IngestFormatsTest, DeterministicUuidIsStableAndVersion5) {
  auto a = DeterministicUuid("ml-1m:1:2:3:view_start");
  EXPECT_EQ(a, DeterministicUuid("ml-1m:1:2:3:view_start"));
  EXPECT_NE(a, DeterministicUuid("ml-1m:1:2:3:view_stop"));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '5');
  EXPECT_EQ(FormatUtc(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatUtc(978300760), "2000-12-31 22:12:40");
  EXPECT_EQ(FormatUtc(951782400), "2000-02-29 00:00:00");
  EXPECT_EQ(FormatUtc(4107542399), "2100-02-28 23:59:59");
  EXPECT_EQ(UtcMonth(978300760), 200012);
  std::string json;
  AppendJsonString(json, "a\"b\\\n\x01");
  EXPECT_EQ(json, "\"a\\\"b\\\\\\n\\u0001\"");
  std::string copy;
  AppendTabSeparated(copy, "a\tb\\c\nd");
  EXPECT_EQ(copy, "a\\tb\\\\c\\nd");
  EXPECT_EQ(CsvField("Heat"), "Heat");
  EXPECT_EQ(CsvField("A, \"B\""), "\"A, \"\"B\"\"\"");
}

// FormatUtc and UtcMonth compute the calendar themselves (no gmtime_r and its lock): they agree with it from
// 1900 to 2200, at day edges and leap days included.
TEST(IngestFormatsTest, UtcCalendarAgreesWithGmtime) {
  std::vector<std::int64_t> times = {-2208988800, -1,        0,         59,         86399,      86400,
                                     68169600,    951868799, 951868800, 1709164800, 4107542400, 7258118399};
  std::uint64_t x = 12345;
  for (int k = 0; k < 20000; ++k) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    times.push_back(-2208988800 + static_cast<std::int64_t>(x % 9467280000ULL));  // 1900-2200
  }
  for (auto t : times) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char expected[32];
    std::snprintf(expected, sizeof expected, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    ASSERT_EQ(FormatUtc(t), expected) << t;
    ASSERT_EQ(UtcMonth(t), (tm.tm_year + 1900) * 100 + tm.tm_mon + 1) << t;
  }
}

}  // namespace
}  // namespace cinerec::ingest
