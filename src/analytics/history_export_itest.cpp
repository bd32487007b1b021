// The history export round trip on the test stack: what lands in S3 (read back with the AWS CLI, a second
// client) equals what ClickHouse holds for the day, in counts, event ids and checksums; a second export of
// the same day gives the same bytes.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "analytics/analytics_test_support.h"
#include "analytics/gzip_file.h"
#include "analytics/history_export.h"
#include "storage/s3/s3_digest.h"
#include "storage/s3/s3_object_store.h"
#include "support/cli_run.h"

namespace cinerec::analytics {
namespace {

namespace json = boost::json;
using namespace testing;  // NOLINT

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

TEST(AnalyticsHistoryExportItest, RoundTripsADayThroughS3) {
  ClickHouseDatabase db;
  Config config = db.config();
  config.s3.bucket = "cinerec-" + cinerec::testing::UniqueName();
  S3ObjectStore objects(config.s3);
  objects.CreateBucket();

  db.Add(Impression{.id = 1, .at = kT0 + 10, .user = 40, .movie = 1});
  db.Add(Impression{.id = 1, .at = kT0 + 10, .user = 40, .movie = 1, .received_delay = 50});  // a copy
  db.Add(Impression{.id = 2, .at = kT0 + 5 * kHour, .user = 41, .movie = 2, .position = 2, .variant = "B"});
  db.Add(Impression{.id = 3, .at = kT0 - 1, .user = 40, .movie = 3});  // the day before
  db.Add(
      Ui{.id = 4, .type = "click", .at = kT0 + 20, .user = 40, .movie = 1, .query = "quote ' and \\ back"});
  db.Add(Watch{
      .id = 5, .type = "view_start", .at = kT0 + kDay + 10, .user = 40, .movie = 1});  // next day, in window
  db.Add(Watch{.id = 6, .type = "view_start", .at = kT0 + 23 * kHour + 3599, .user = 41, .movie = 9});
  db.AddSignup(7, kT0 + kHour, 40);

  HistoryExportOptions options;
  const auto day = ExportHistoryDay(db.client(), objects, kT0, options);
  EXPECT_EQ(day.date, "2026-10-05");
  ASSERT_EQ(day.files.size(), 5u);

  const auto temp = std::filesystem::temp_directory_path() / ("cinerec-" + cinerec::testing::UniqueName());
  std::filesystem::create_directories(temp);
  auto [code, listing] = cinerec::testing::RunAwsCli(
      config.s3, "s3 cp --recursive "
                     + cinerec::testing::ShellQuote("s3://" + config.s3.bucket + "/history/2026-10-05/") + " "
                     + cinerec::testing::ShellQuote(temp.string()));
  ASSERT_EQ(code, 0) << listing;

  const auto manifest = json::parse(ReadFile(temp / "_manifest.json")).as_object();
  EXPECT_EQ(manifest.at("date").as_string(), "2026-10-05");
  std::map<std::string, std::int64_t> expected_rows = {{"recommendations.jsonl.gz", 2},
                                                       {"recommendation_impressions.jsonl.gz", 2},
                                                       {"ui_events.jsonl.gz", 1},
                                                       {"watch_events.jsonl.gz", 1},
                                                       {"account_events.jsonl.gz", 1}};
  for (const auto& entry : manifest.at("files").as_array()) {
    const std::string key(entry.at("key").as_string());
    const std::string name = key.substr(key.rfind('/') + 1);
    SCOPED_TRACE(name);
    const std::string bytes = ReadFile(temp / name);
    EXPECT_EQ(s3::Sha256Hex(bytes), entry.at("sha256").as_string());
    EXPECT_EQ(static_cast<std::int64_t>(bytes.size()), entry.at("bytes").as_int64());
    const auto lines = Lines(Gunzip(bytes));
    EXPECT_EQ(static_cast<std::int64_t>(lines.size()), entry.at("rows").as_int64());
    EXPECT_EQ(static_cast<std::int64_t>(lines.size()), expected_rows[name]);
    // The event ids in the file are the day's distinct event ids in ClickHouse.
    const std::string table =
        name == "recommendations.jsonl.gz" ? "recommendation_impressions" : name.substr(0, name.find('.'));
    std::set<std::string> in_file, in_clickhouse;
    for (const auto& line : lines)
      in_file.insert(std::string(json::parse(line).at("event_id").as_string()));
    for (const auto& id : Lines(db.client().Query("SELECT DISTINCT toString(event_id) FROM " + table
                                                  + " WHERE event_time >= toDateTime(1791158400) AND "
                                                    "event_time < toDateTime(1791244800) FORMAT TSV")))
      in_clickhouse.insert(id);
    EXPECT_EQ(in_file, in_clickhouse);
  }

  // The joined file says what followed each impression (the start a day later is within the 24 h window).
  const auto joined = Lines(Gunzip(ReadFile(temp / "recommendations.jsonl.gz")));
  const auto first = json::parse(joined.at(0)).as_object();
  EXPECT_EQ(first.at("shown_at").as_string(), "2026-10-05 00:00:10");
  EXPECT_EQ(first.at("clicked_at").as_string(), "2026-10-05 00:00:20");
  EXPECT_EQ(first.at("watch_started_at").as_string(), "2026-10-06 00:00:10");  // exactly 24 h later
  const auto ui_line = json::parse(Lines(Gunzip(ReadFile(temp / "ui_events.jsonl.gz"))).at(0)).as_object();
  EXPECT_EQ(ui_line.at("query").as_string(), "quote ' and \\ back");

  // Idempotent: the same day again gives the same objects.
  const auto again = ExportHistoryDay(db.client(), objects, kT0, options);
  for (std::size_t i = 0; i < again.files.size(); ++i)
    EXPECT_EQ(again.files[i].sha256, day.files[i].sha256) << again.files[i].key;
  EXPECT_EQ(objects.List("history/2026-10-05/").size(), 6u);
  std::filesystem::remove_all(temp);
}

}  // namespace
}  // namespace cinerec::analytics
