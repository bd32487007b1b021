#include "catalog/movie.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "catalog/movie_cursor.h"
#include "catalog/movie_json.h"
#include "common/errors.h"

namespace cinerec::catalog {
namespace {

// The status and message of the ApiError fn throws (0 if none).
std::pair<int, std::string> Failure(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    return {e.status(), e.what()};
  }
  return {0, ""};
}

void ExpectField(const std::string& body, const std::string& field) {
  auto [status, message] = Failure([&] { MovieFromJson(body); });
  EXPECT_EQ(status, 422) << body;
  EXPECT_EQ(message.rfind(field + ":", 0), 0u) << body << " -> " << message;
}

TEST(MovieJsonTest, ParsesEveryMember) {
  auto movie = MovieFromJson(R"({"title": "Heat", "original_title": "Heat", "year": 1995, "genres": ["Crime",
      "Action", "Crime"], "description": "d", "duration_s": 10200, "age_rating": "R",
      "available_tiers": ["premium"], "extra": {"ids": {"imdb": "tt0113277"}}})");
  EXPECT_EQ(movie.title, "Heat");
  EXPECT_EQ(movie.year, 1995);
  EXPECT_EQ(movie.genres, (std::vector<std::string>{"Action", "Crime"}));
  EXPECT_EQ(movie.duration_s, 10200);
  EXPECT_EQ(movie.available_tiers, std::vector<std::string>{"premium"});
  EXPECT_EQ(movie.extra.at("ids").at("imdb"), "tt0113277");
  auto json = ToJson(movie);
  EXPECT_EQ(json.at("title"), "Heat");
  EXPECT_EQ(json.at("genres").as_array().size(), 2u);
}

TEST(MovieJsonTest, BadJsonIs400) {
  for (const char* body : {"", "{", "{\"title\": }", "[1]", "\"x\"", "{\"title\": \"a\"} trailing"})
    EXPECT_EQ(Failure([&] { MovieFromJson(body); }).first, 400) << body;
  EXPECT_EQ(Failure([&] { MoviePatchFromJson("nope"); }).first, 400);
}

TEST(MovieJsonTest, InvalidFieldsAre422NamingTheField) {
  ExpectField(R"({})", "title");
  ExpectField(R"({"title": ""})", "title");
  ExpectField(R"({"title": "   "})", "title");
  ExpectField(R"({"title": 5})", "title");
  ExpectField(R"({"title": ")" + std::string(301, 'x') + "\"}", "title");
  ExpectField(R"({"title": "a", "year": 1869})", "year");
  ExpectField(R"({"title": "a", "year": 2101})", "year");
  ExpectField(R"({"title": "a", "year": "1999"})", "year");
  ExpectField(R"({"title": "a", "year": 1999.5})", "year");
  ExpectField(R"({"title": "a", "year": 99999999999})", "year");
  ExpectField(R"({"title": "a", "genres": "Drama"})", "genres");
  ExpectField(R"({"title": "a", "genres": [""]})", "genres");
  ExpectField(R"({"title": "a", "available_tiers": ["gold"]})", "available_tiers");
  ExpectField(R"({"title": "a", "available_tiers": []})", "available_tiers");
  ExpectField(R"({"title": "a", "age_rating": "X"})", "age_rating");
  ExpectField(R"({"title": "a", "duration_s": 0})", "duration_s");
  ExpectField(R"({"title": "a", "extra": [1]})", "extra");
  ExpectField(R"({"title": "a", "extra": {"k": ")" + std::string(16 * 1024, 'x') + "\"}}", "extra");
  ExpectField(R"({"title": "a", "description": ")" + std::string(20001, 'x') + "\"}", "description");
  ExpectField(R"({"title": "a", "colour": true})", "colour");
  ExpectField(R"({"title": "a", "id": 4})", "id");
}

TEST(MovieJsonTest, NulBytesAreRefusedEverywhere) {
  ExpectField(R"({"title": "a\u0000b"})", "title");
  ExpectField(R"({"title": "a", "description": "\u0000"})", "description");
  ExpectField(R"({"title": "a", "original_title": "x\u0000"})", "original_title");
  ExpectField(R"({"title": "a", "genres": ["Dra\u0000ma"]})", "genres");
  ExpectField(R"({"title": "a", "extra": {"k": ["\u0000"]}})", "extra");
  ExpectField(R"({"title": "a", "extra": {"k\u0000": 1}})", "extra");
}

TEST(MovieJsonTest, TitleLengthCountsCharactersNotBytes) {
  std::string title;
  for (int i = 0; i < 300; ++i)
    title += "é";
  EXPECT_EQ(MovieFromJson(R"({"title": ")" + title + "\"}").title, title);
  ExpectField(R"({"title": ")" + title + "é\"}", "title");
}

TEST(MovieJsonTest, PatchKeepsAbsentMembersAndClearsNulls) {
  auto patch = MoviePatchFromJson(R"({"year": null, "description": "new"})");
  EXPECT_FALSE(patch.title);
  ASSERT_TRUE(patch.year);
  EXPECT_FALSE(*patch.year);
  EXPECT_EQ(patch.description, "new");
  EXPECT_FALSE(patch.genres);
  Movie movie;
  movie.title = "t";
  movie.year = 2000;
  Apply(patch, movie);
  EXPECT_EQ(movie.year, std::nullopt);
  EXPECT_EQ(movie.title, "t");
  EXPECT_EQ(Failure([] { MoviePatchFromJson(R"({"title": null})"); }).first, 422);
  EXPECT_EQ(Failure([] { MoviePatchFromJson(R"({"age_rating": "PG-18"})"); }).first, 422);
}

TEST(MovieCursorTest, RoundTripsAndRejectsForgeries) {
  for (std::int64_t id : {1LL, 42LL, 9223372036854775807LL}) {
    auto cursor = EncodeCursor(id);
    EXPECT_EQ(cursor.find_first_of("+/="), std::string::npos) << cursor;
    EXPECT_EQ(DecodeCursor(cursor), id);
  }
  for (const char* bad : {"", "42", "bTE6", "!!!", "bTE6LTE", "bTI6NDI"})
    EXPECT_FALSE(DecodeCursor(bad)) << bad;
}

TEST(Utf8Test, ValidatesLikePostgres) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Amélie 🎬 日本"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_EQ(Utf8Length("Amélie 🎬"), 8u);
}

}  // namespace
}  // namespace cinerec::catalog
