// Version ids, the manifest's JSON and the bundle that derives it.
#include "modelstore/manifest.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

#include "modelstore/errors.h"
#include "modelstore/model_bundle.h"

namespace cinerec::modelstore {
namespace {

using std::chrono::system_clock;

TEST(VersionIdTest, IdsSortByCreationTime) {
  const auto t = system_clock::from_time_t(1795539000);  // 2026-11-24T16:50:00Z
  EXPECT_EQ(NewVersionId(t, 0xabc123), "20261124T165000Z-abc123");
  EXPECT_EQ(NewVersionId(t, 0xff000001), "20261124T165000Z-000001") << "24 bits of the random number";
  EXPECT_LT(NewVersionId(t, 0xffffff), NewVersionId(t + std::chrono::seconds(1), 0));
  EXPECT_EQ(VersionCreatedAt("20261124T165000Z-abc123"), "2026-11-24T16:50:00Z");
  EXPECT_TRUE(IsValidVersionId(NewVersionId()));
  EXPECT_NE(NewVersionId(), NewVersionId()) << "24 random bits: a collision is a 1 in 16M chance";
}

TEST(VersionIdTest, MalformedIdsAreRejected) {
  for (const char* bad : {"", "latest", "20261124T165000Z-ABC123", "20261124T165000Z_abc123",
                          "20261124T165000Z-abc12", "2026112aT165000Z-abc123", "20261124T165000Z-abc1234",
                          "../../etc/passwd-abcdef", "20261124X165000Z-abc123"})
    EXPECT_FALSE(IsValidVersionId(bad)) << bad;
}

ModelBundle SampleBundle() {
  ModelBundle bundle("20261124T165000Z-abc123", "2026-11-24T16:50:00Z");
  bundle.data() = {{"from", "2026-01-01"}, {"to", "2026-11-24"}, {"users", 2000}, {"interactions", 50000}};
  bundle.parameters() = {{"factors", 64}, {"alpha", 10.5}};
  bundle.metrics() = {{"ndcg@10", 0.31}};
  const std::vector<float> factors = {1, 2, 3, 4, 5, 6};
  const std::vector<std::int64_t> ids = {101, 102, 103};
  bundle.Add(Artefact::Matrix<float>("user_factors", 3, 2, factors));
  bundle.Add(Artefact::Vector<std::int64_t>("user_ids", ids));
  return bundle;
}

TEST(ManifestTest, BundleDerivesFileEntries) {
  const ModelBundle bundle = SampleBundle();
  const Manifest m = bundle.BuildManifest();
  ASSERT_EQ(m.files.size(), 2u);
  EXPECT_EQ(m.files[0].name, "user_factors");
  EXPECT_EQ(m.files[0].file, "user_factors.bin");
  EXPECT_EQ(m.files[0].size, bundle.Get("user_factors").Encoded().size());
  EXPECT_EQ(m.files[0].sha256.size(), 64u);
  EXPECT_EQ(m.files[0].element_type, "float32");
  EXPECT_EQ(m.files[0].layout, "matrix");
  EXPECT_EQ(m.files[0].dim0, 3u);
  EXPECT_EQ(m.files[0].dim1, 2u);
  EXPECT_EQ(m.files[1].element_type, "int64");
  EXPECT_EQ(m.TotalBytes(), m.files[0].size + m.files[1].size);
  EXPECT_EQ(m.Find("user_ids"), &m.files[1]);
  EXPECT_EQ(m.Find("nope"), nullptr);
}

TEST(ManifestTest, BundleRefusesDuplicatesAndBadVersions) {
  ModelBundle bundle = SampleBundle();
  const std::vector<std::int64_t> ids = {1};
  EXPECT_THROW(bundle.Add(Artefact::Vector<std::int64_t>("user_ids", ids)), std::invalid_argument);
  EXPECT_THROW(bundle.Get("missing"), ModelStoreError);
  EXPECT_THROW(ModelBundle("latest", ""), std::invalid_argument);
  EXPECT_TRUE(IsValidVersionId(ModelBundle().version()));
}

TEST(ManifestTest, JsonRoundTripsAndIsReadable) {
  const Manifest m = SampleBundle().BuildManifest();
  const std::string text = m.ToJson();
  EXPECT_EQ(Manifest::Parse(text, "manifest.json"), m);
  EXPECT_NE(text.find("\n  \"version\": \"20261124T165000Z-abc123\",\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\"ndcg@10\": 0.31"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  const auto parsed = boost::json::parse(text).as_object();
  EXPECT_EQ(parsed.at("format").as_int64(), kManifestFormat);
  EXPECT_EQ(parsed.at("files").as_array()[0].at("shape"), (boost::json::array{3, 2}));
}

std::string ParseError(const std::string& text) {
  try {
    Manifest::Parse(text, "models/v/manifest.json");
  } catch (const ModelStoreError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ManifestTest, InvalidManifestsNameTheField) {
  const std::string good = SampleBundle().BuildManifest().ToJson();
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "not JSON"},
      {"[]", "not a JSON object"},
      {replaced("\"format\": 1", "\"format\": 2"), "format: 2 is not supported"},
      {replaced("\"version\": \"20261124T165000Z-abc123\"", "\"version\": \"x\""),
       "version: 'x' is not a version id"},
      {replaced("\"created_at\"", "\"created\""), "created_at: missing"},
      {replaced("\"size\": ", "\"size\": -"), "files[0].size: not a non-negative integer"},
      {replaced("\"file\": \"user_factors.bin\"", "\"file\": \"../x\""), "files[0].file: expected"},
      {replaced("\"name\": \"user_ids\"", "\"name\": \"user_factors\""),
       "files[1].name: 'user_factors' appears twice"},
      {replaced("\"sha256\": \"", "\"sha256\": \"zz"), "files[0].sha256"},
      {replaced("\"metrics\": {", "\"metrics\": [{"), "not JSON"},
      {replaced("\"shape\": [\n        3,", "\"shape\": [\n        \"3\","), "files[0].shape: not an array"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string message = ParseError(text);
    EXPECT_EQ(message.rfind("models/v/manifest.json: invalid manifest: ", 0), 0u) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << message;
  }
}

TEST(PrettyJsonTest, IndentsNestedValues) {
  EXPECT_EQ(PrettyJson(boost::json::parse(R"({"a":[1,{"b":{}}],"c":[]})")),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": {}\n    }\n  ],\n  \"c\": []\n}");
  EXPECT_EQ(PrettyJson(boost::json::array{1.0, 0.31, 1e-300, -2.5e20, 7}),
            "[\n  1.0,\n  0.31,\n  1e-300,\n  -2.5e+20,\n  7\n]");
  const boost::json::value round_trip = boost::json::parse(PrettyJson(boost::json::array{1.0, 0.1 + 0.2}));
  EXPECT_TRUE(round_trip.as_array()[0].is_double());
  EXPECT_EQ(round_trip.as_array()[1].as_double(), 0.1 + 0.2);
}

}  // namespace
}  // namespace cinerec::modelstore
