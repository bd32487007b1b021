#pragma once
// The fixture of the recommendation end-to-end tests: `cinerec serve` on an isolated config, twelve movies in
// two taste groups, and a small hybrid model over them published to the test stack's S3 as LATEST.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "integration/recommend_test_support.h"

namespace cinerec {

class RecommendStackTest : public ::testing::Test {
 protected:
  // Twelve movies: six sci-fi (taste x), six dramas (taste y); "Star Premium" plays on premium only,
  // "Old Drama" is deleted, and two movies are added after the model was trained.
  RecommendStackTest() : stack_(testing::RecommendTestConfig()) {
    for (int i = 1; i <= 5; ++i)
      scifi_.push_back(Create("Star " + std::to_string(i), {"Sci-Fi"}));
    premium_ = Create("Star Premium", {"Sci-Fi"}, {"premium"});
    for (int i = 1; i <= 5; ++i)
      drama_.push_back(Create("Tears " + std::to_string(i), {"Drama"}));
    deleted_ = Create("Old Drama", {"Drama"});
    new_scifi_ = Create("Star Newcomer", {"Sci-Fi"});
    new_drama_ = Create("Tears Newcomer", {"Drama"});
    EXPECT_EQ(stack_.Call("DELETE", "/v1/movies/" + std::to_string(deleted_)).status, 204);

    std::vector<testing::ModelMovie> movies;
    for (std::size_t i = 0; i < scifi_.size(); ++i)
      movies.push_back({scifi_[i],
                        "Star " + std::to_string(i + 1),
                        {"Sci-Fi"},
                        {1.0f - 0.05f * static_cast<float>(i), 0.05f * static_cast<float>(i)},
                        10.0f - i});
    movies.push_back({premium_, "Star Premium", {"Sci-Fi"}, {1.0f, 0.0f}, 20});
    for (std::size_t i = 0; i < drama_.size(); ++i)
      movies.push_back({drama_[i],
                        "Tears " + std::to_string(i + 1),
                        {"Drama"},
                        {0.05f * static_cast<float>(i), 1.0f - 0.05f * static_cast<float>(i)},
                        10.0f - i});
    movies.push_back({deleted_, "Old Drama", {"Drama"}, {0.0f, 1.0f}, 50});
    movies_ = movies;
    version_ = testing::PublishModel(stack_.config(), movies);
    stack_.Restart();  // the movie directory loads the catalogue with the new movies at start
    WaitForModel(version_);
  }

  std::int64_t Create(const std::string& title, std::vector<std::string> genres,
                      std::vector<std::string> tiers = {"free", "basic", "premium"}) {
    boost::json::array g, t;
    for (const auto& x : genres)
      g.emplace_back(x);
    for (const auto& x : tiers)
      t.emplace_back(x);
    auto result = stack_.Call(
        "POST", "/v1/movies",
        boost::json::serialize(boost::json::object{
            {"title", title}, {"genres", g}, {"available_tiers", t}, {"duration_s", 6000}, {"year", 2020}}));
    EXPECT_EQ(result.status, 201) << result.body;
    return boost::json::parse(result.body).at("id").as_int64();
  }

  testing::HttpResult Get(const std::string& target, const std::string& token = testing::kCollectAdminKey) {
    return stack_.Call("GET", target, "", token);
  }
  // A user's list from `stack` (default: the fixture's service), expected to be 200.
  boost::json::object List(std::int64_t user, const std::string& query = "") {
    return List(stack_, user, query);
  }
  static boost::json::object List(testing::CollectStack& stack, std::int64_t user, const std::string& query) {
    auto result = stack.Call("GET", "/v1/users/" + std::to_string(user) + "/recommendations" + query);
    EXPECT_EQ(result.status, 200) << result.body;
    if (result.status != 200) return boost::json::object{{"items", boost::json::array{}}};
    return boost::json::parse(result.body).as_object();
  }
  static std::vector<std::int64_t> Ids(const boost::json::object& body) {
    std::vector<std::int64_t> out;
    for (const auto& item : body.at("items").as_array())
      out.push_back(item.at("movie_id").as_int64());
    return out;
  }
  static std::string ModelVersion(const boost::json::object& body) {
    const auto& v = body.at("model_version");
    return v.is_string() ? std::string(v.as_string()) : std::string("none");
  }
  // Waits until `stack` (default: the fixture's service) serves `version`.
  void WaitForModel(const std::string& version) { WaitForModel(stack_, version); }
  void WaitForModel(testing::CollectStack& stack, const std::string& version) {
    const auto probe = testing::InsertUser(stack_.postgres(), "probe" + testing::UniqueName());
    EXPECT_EQ(testing::CollectStack::WaitFor(
                  [&] {
                    const auto result =
                        stack.Call("GET", "/v1/users/" + std::to_string(probe) + "/recommendations");
                    return ModelVersion(boost::json::parse(result.body).as_object());
                  },
                  version),
              version);
  }

  testing::CollectStack stack_;
  std::vector<std::int64_t> scifi_, drama_;
  std::int64_t premium_ = 0, deleted_ = 0, new_scifi_ = 0, new_drama_ = 0;
  std::vector<testing::ModelMovie> movies_;
  std::string version_;
};

}  // namespace cinerec
