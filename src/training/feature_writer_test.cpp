#include "training/feature_writer.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/json.hpp>

#include "common/errors.h"
#include "storage/s3/in_memory_object_store.h"
#include "storage/s3/s3_digest.h"

namespace cinerec::training {
namespace {

std::string Gunzip(std::string_view gz) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string out;
  char buffer[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

constexpr std::int64_t kAsOf = 1767225600000;  // 2026-01-01T00:00:00Z

UserProfile Profile(std::int64_t user) {
  UserProfile p;
  p.user_id = user;
  p.movies = 3;
  p.views = 4;
  p.completed_views = 2;
  p.likes = 1;
  p.dislikes = 1;
  p.positive_movies = 2;
  p.first_ms = kAsOf - 86400000LL * 10;
  p.last_ms = kAsOf - 86400000LL * 3 / 2 + 123;
  p.genre_affinity = {0.5f, 1.0f / 3};
  return p;
}

TEST(FeatureWriterTest, LineFormat) {
  const std::vector<float> factors = {0.5f, -0.25f};
  EXPECT_EQ(
      FormatProfileLine(Profile(42), factors, kAsOf),
      R"({"user_id":42,"factors":[0.5,-0.25],"genre_affinity":[0.5,0.33333334],"movies":3,"views":4,)"
      R"("completed_views":2,"likes":1,"dislikes":1,"positive_movies":2,)"
      R"("first_interaction_at":"2025-12-22T00:00:00.000Z","last_interaction_at":"2025-12-30T12:00:00.123Z",)"
      R"("days_since_last":1.5000})");
  const auto line = FormatProfileLine(Profile(7), {}, kAsOf);
  const auto parsed = boost::json::parse(line).as_object();  // valid JSON
  EXPECT_TRUE(parsed.at("factors").is_null());
  EXPECT_EQ(parsed.at("user_id").as_int64(), 7);
}

TEST(FeatureWriterTest, DatesAndGzipRoundTrip) {
  EXPECT_EQ(FormatUtcDate(kAsOf - 1), "2025-12-31");
  EXPECT_EQ(FormatUtcMillis(kAsOf - 1), "2025-12-31T23:59:59.999Z");
  const std::string text(100000, 'x');
  const auto gz = Gzip(text);
  EXPECT_LT(gz.size(), 1000u);
  EXPECT_EQ(Gunzip(gz), text);
  EXPECT_EQ(Gzip(text), gz);  // no time stamp: deterministic
}

TEST(FeatureWriterTest, PartsSchemaManifestAndRewrite) {
  InMemoryObjectStore objects;
  UserActivity activity;
  activity.genres = {"Action", "Comedy"};
  for (std::int64_t u = 1; u <= 5; ++u)
    activity.profiles.push_back(Profile(u));
  const std::vector<std::int64_t> ids = {4, 2};
  const std::vector<float> factors = {1, 2, 3, 4};
  const UserFactorIndex index(ids, factors, 2);
  FeatureSetOptions options;
  options.as_of_ms = kAsOf;
  options.rows_per_part = 2;
  options.model_version = "20260101T000000Z-abcdef";

  const auto result = WriteFeatureSet(objects, activity, index, options);
  EXPECT_EQ(result.folder, "features/2026-01-01/");
  EXPECT_EQ(result.rows, 5);
  EXPECT_EQ(result.rows_with_factors, 2);
  EXPECT_EQ(result.parts, 3u);

  const auto manifest = boost::json::parse(*objects.Get("features/2026-01-01/_manifest.json")).as_object();
  EXPECT_EQ(manifest.at("rows").as_int64(), 5);
  EXPECT_EQ(manifest.at("model_version").as_string(), "20260101T000000Z-abcdef");
  EXPECT_EQ(manifest.at("as_of").as_string(), "2026-01-01T00:00:00.000Z");
  const auto& parts = manifest.at("parts").as_array();
  ASSERT_EQ(parts.size(), 3u);
  std::string all;
  std::int64_t rows = 0;
  for (const auto& part : parts) {
    const auto& p = part.as_object();
    const auto gz = objects.Get(result.folder + std::string(p.at("file").as_string()));
    ASSERT_TRUE(gz);
    EXPECT_EQ(p.at("sha256").as_string(), s3::Sha256Hex(*gz));
    EXPECT_EQ(p.at("bytes").as_int64(), static_cast<std::int64_t>(gz->size()));
    rows += p.at("rows").as_int64();
    all += Gunzip(*gz);
  }
  EXPECT_EQ(rows, 5);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 5);
  EXPECT_NE(all.find(R"({"user_id":2,"factors":[3,4],)"), std::string::npos) << all;
  EXPECT_NE(all.find(R"({"user_id":4,"factors":[1,2],)"), std::string::npos) << all;
  EXPECT_NE(all.find(R"({"user_id":5,"factors":null,)"), std::string::npos) << all;

  const auto schema = boost::json::parse(*objects.Get("features/2026-01-01/schema.json")).as_object();
  EXPECT_EQ(schema.at("factors").as_int64(), 2);
  EXPECT_EQ(schema.at("genres").as_array().size(), 2u);
  EXPECT_EQ(schema.at("fields").as_array().size(), 12u);

  // The same day again with bigger parts: one part, and the stale ones are gone.
  options.rows_per_part = 100;
  const auto again = WriteFeatureSet(objects, activity, index, options);
  EXPECT_EQ(again.parts, 1u);
  std::vector<std::string> keys;
  for (const auto& info : objects.List(result.folder))
    keys.push_back(info.key.substr(result.folder.size()));
  EXPECT_EQ(keys, (std::vector<std::string>{"_manifest.json", "part-00000.jsonl.gz", "schema.json"}));
}

TEST(FeatureWriterTest, EmptyActivityStillWritesACompleteSet) {
  InMemoryObjectStore objects;
  const UserFactorIndex index({}, {}, 4);
  FeatureSetOptions options;
  options.as_of_ms = kAsOf;
  const auto result = WriteFeatureSet(objects, UserActivity{}, index, options);
  EXPECT_EQ(result.rows, 0);
  EXPECT_EQ(result.parts, 1u);
  EXPECT_TRUE(objects.Get("features/2026-01-01/_manifest.json"));
}

TEST(FeatureWriterTest, S3DownIsAStoreErrorAndNoManifest) {
  InMemoryObjectStore objects;
  objects.SetAvailable(false);
  const UserFactorIndex index({}, {}, 4);
  FeatureSetOptions options;
  options.as_of_ms = kAsOf;
  EXPECT_THROW(WriteFeatureSet(objects, UserActivity{}, index, options), StoreError);
  objects.SetAvailable(true);
  EXPECT_FALSE(objects.Get("features/2026-01-01/_manifest.json"));
}

}  // namespace
}  // namespace cinerec::training
