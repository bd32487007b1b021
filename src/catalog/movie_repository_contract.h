#pragma once
// The MovieRepository contract: one typed test suite that every implementation must pass
// (InMemoryMovieRepository in in_memory_movie_repository_test.cpp, PgMovieRepository against the test stack
// in pg_movie_repository_itest.cpp), so the fake cannot drift from PostgreSQL. A Backend is
// default-constructible per test, starts with an empty catalog, and provides `MovieRepository& repo();`.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <set>

#include "catalog/movie_repository.h"
#include "common/errors.h"

namespace cinerec::catalog {

template <typename Backend>
class MovieRepositoryContract : public ::testing::Test {
 protected:
  MovieRepository& repo() { return backend_.repo(); }

  Movie Draft(std::string title, std::optional<int> year = std::nullopt, std::vector<std::string> genres = {},
              std::string description = "") {
    Movie movie;
    movie.title = std::move(title);
    movie.year = year;
    movie.genres = std::move(genres);
    movie.description = std::move(description);
    return movie;
  }
  std::vector<std::string> Titles(const MoviePage& page) {
    std::vector<std::string> out;
    for (const auto& movie : page.items)
      out.push_back(movie.title);
    return out;
  }
  std::vector<std::string> Titles(MovieFilter filter) { return Titles(repo().List(filter)); }
  static int StatusOf(const std::function<void()>& fn, std::string* message = nullptr) {
    try {
      fn();
    } catch (const ApiError& e) {
      if (message) *message = e.what();
      return e.status();
    }
    return 0;
  }

  Backend backend_;
};

TYPED_TEST_SUITE_P(MovieRepositoryContract);

TYPED_TEST_P(MovieRepositoryContract, CreateThenGetReturnsEveryFieldVerbatim) {
  Movie draft = this->Draft("Amélie's \"fabuleux\" destin'); DROP TABLE movies; -- 🎬", 2001,
                            {"Romance", "Comedy", "Comedy"}, "Paris, \\N, 100% {braces}, O'Brien");
  draft.original_title = "Le Fabuleux Destin d'Amélie Poulain";
  draft.duration_s = 7320;
  draft.age_rating = "R";
  draft.available_tiers = {"basic", "premium"};
  draft.extra =
      boost::json::parse(R"({"ids": {"imdb": "tt0211915", "tmdb": 194}, "tags": ["a\"b", "ü"]})").as_object();
  auto created = this->repo().Create(draft);
  EXPECT_GT(created.id, 0);
  EXPECT_FALSE(created.created_at.empty());
  EXPECT_EQ(created.created_at, created.updated_at);
  auto got = this->repo().Get(created.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->title, draft.title);
  EXPECT_EQ(got->original_title, draft.original_title);
  EXPECT_EQ(got->year, 2001);
  EXPECT_EQ(got->genres, (std::vector<std::string>{"Comedy", "Romance"}));
  EXPECT_EQ(got->description, draft.description);
  EXPECT_EQ(got->duration_s, 7320);
  EXPECT_EQ(got->age_rating, "R");
  EXPECT_EQ(got->available_tiers, draft.available_tiers);
  EXPECT_EQ(got->extra, draft.extra);
  EXPECT_EQ(got->created_at, created.created_at);
  EXPECT_EQ(got->created_at.back(), 'Z');
}

TYPED_TEST_P(MovieRepositoryContract, CreateAppliesDefaults) {
  auto created = this->repo().Create(this->Draft("Plain"));
  EXPECT_EQ(created.original_title, std::nullopt);
  EXPECT_EQ(created.year, std::nullopt);
  EXPECT_TRUE(created.genres.empty());
  EXPECT_EQ(created.description, "");
  EXPECT_EQ(created.age_rating, "NR");
  EXPECT_EQ(created.available_tiers, (std::vector<std::string>{"free", "basic", "premium"}));
  EXPECT_TRUE(created.extra.empty());
}

TYPED_TEST_P(MovieRepositoryContract, UnknownGenresAreRefusedNamingThem) {
  std::string message;
  EXPECT_EQ(this->StatusOf(
                [&] {
                  this->repo().Create(this->Draft("X", {}, {"Drama", "Cyberpunk"}));
                },
                &message),
            422);
  EXPECT_NE(message.find("genres"), std::string::npos);
  EXPECT_NE(message.find("Cyberpunk"), std::string::npos);
  EXPECT_TRUE(this->repo().List({}).items.empty()) << "nothing half-written";

  auto movie = this->repo().Create(this->Draft("Y", {}, {"Drama"}));
  MoviePatch patch;
  patch.genres = std::vector<std::string>{"Nope"};
  patch.title = "Changed";
  EXPECT_EQ(this->StatusOf([&] { this->repo().Update(movie.id, patch); }), 422);
  EXPECT_EQ(this->repo().Get(movie.id)->title, "Y") << "the failed update changed nothing";

  MovieFilter filter;
  filter.genre = "Nope";
  EXPECT_EQ(this->StatusOf([&] { this->repo().List(filter); }, &message), 422);
  EXPECT_NE(message.find("genre"), std::string::npos);
}

TYPED_TEST_P(MovieRepositoryContract, UnknownIdsAreAbsent) {
  EXPECT_FALSE(this->repo().Get(987654321));
  EXPECT_FALSE(this->repo().Update(987654321, MoviePatch{}));
  EXPECT_FALSE(this->repo().SoftDelete(987654321));
}

TYPED_TEST_P(MovieRepositoryContract, UpdateChangesOnlyTheGivenFields) {
  Movie draft = this->Draft("Before", 1999, {"Drama"}, "old words");
  draft.original_title = "Original";
  draft.duration_s = 100;
  auto created = this->repo().Create(draft);

  MoviePatch patch;
  patch.title = "After";
  patch.original_title = std::optional<std::string>{};  // clears
  patch.genres = std::vector<std::string>{"War", "Action"};
  auto updated = this->repo().Update(created.id, patch);
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->title, "After");
  EXPECT_EQ(updated->original_title, std::nullopt);
  EXPECT_EQ(updated->genres, (std::vector<std::string>{"Action", "War"}));
  EXPECT_EQ(updated->year, 1999);
  EXPECT_EQ(updated->description, "old words");
  EXPECT_EQ(updated->duration_s, 100);
  EXPECT_EQ(updated->created_at, created.created_at);
  EXPECT_GE(updated->updated_at, created.updated_at);

  MoviePatch only_genres;
  only_genres.genres = std::vector<std::string>{};
  only_genres.year = std::optional<int>{};
  updated = this->repo().Update(created.id, only_genres);
  ASSERT_TRUE(updated);
  EXPECT_TRUE(updated->genres.empty());
  EXPECT_EQ(updated->year, std::nullopt);
  EXPECT_EQ(updated->title, "After");
  EXPECT_EQ(*this->repo().Get(created.id), *updated);
}

TYPED_TEST_P(MovieRepositoryContract, SoftDeletedMoviesAreInvisible) {
  auto gone = this->repo().Create(this->Draft("Gone", 2000, {"Drama"}, "vanishing"));
  auto kept = this->repo().Create(this->Draft("Kept", 2000, {"Drama"}, "vanishing"));
  EXPECT_TRUE(this->repo().SoftDelete(gone.id));
  EXPECT_FALSE(this->repo().SoftDelete(gone.id));
  EXPECT_FALSE(this->repo().Get(gone.id));
  MoviePatch patch;
  patch.title = "Back";
  EXPECT_FALSE(this->repo().Update(gone.id, patch));
  MovieFilter filter;
  filter.q = "vanishing";
  EXPECT_EQ(this->Titles(filter), std::vector<std::string>{"Kept"});
  EXPECT_EQ(this->Titles(MovieFilter{}), std::vector<std::string>{"Kept"});
  EXPECT_TRUE(this->repo().Get(kept.id));
}

TYPED_TEST_P(MovieRepositoryContract, PagesWalkEveryMovieOnceInIdOrder) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i)
    ids.push_back(this->repo().Create(this->Draft("M" + std::to_string(i))).id);
  MovieFilter filter;
  filter.limit = 3;
  std::vector<std::int64_t> seen;
  std::vector<std::size_t> sizes;
  for (;;) {
    auto page = this->repo().List(filter);
    sizes.push_back(page.items.size());
    for (const auto& movie : page.items)
      seen.push_back(movie.id);
    if (!page.next_after_id) break;
    filter.after_id = page.next_after_id;
  }
  EXPECT_EQ(seen, ids);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));

  filter.limit = 7;
  filter.after_id.reset();
  EXPECT_FALSE(this->repo().List(filter).next_after_id) << "an exactly full last page has no next";
  filter.after_id = ids.back();
  EXPECT_TRUE(this->repo().List(filter).items.empty());
}

TYPED_TEST_P(MovieRepositoryContract, FiltersCombine) {
  this->repo().Create(this->Draft("Alien", 1979, {"Horror", "Sci-Fi"}, "A crew meets a creature in space"));
  this->repo().Create(this->Draft("Aliens", 1986, {"Action", "Sci-Fi"}, "Marines fight creatures"));
  this->repo().Create(this->Draft("Heat", 1995, {"Crime"}, "A heist crew in Los Angeles"));
  this->repo().Create(this->Draft("Undated", std::nullopt, {"Sci-Fi"}, "space"));

  MovieFilter genre;
  genre.genre = "Sci-Fi";
  EXPECT_EQ(this->Titles(genre), (std::vector<std::string>{"Alien", "Aliens", "Undated"}));
  MovieFilter years;
  years.year_from = 1980;
  years.year_to = 1995;
  EXPECT_EQ(this->Titles(years), (std::vector<std::string>{"Aliens", "Heat"}));
  MovieFilter from;
  from.year_from = 1986;
  EXPECT_EQ(this->Titles(from), (std::vector<std::string>{"Aliens", "Heat"}));

  MovieFilter by_description;
  by_description.q = "crew";
  EXPECT_EQ(this->Titles(by_description), (std::vector<std::string>{"Alien", "Heat"}));
  MovieFilter by_title;
  by_title.q = "ALIENS";
  EXPECT_EQ(this->Titles(by_title), std::vector<std::string>{"Aliens"});
  MovieFilter all_words;
  all_words.q = "crew space";
  EXPECT_EQ(this->Titles(all_words), std::vector<std::string>{"Alien"});
  MovieFilter nothing;
  nothing.q = "zeppelin";
  EXPECT_TRUE(this->Titles(nothing).empty());

  MovieFilter combined;
  combined.genre = "Sci-Fi";
  combined.q = "space";
  combined.year_to = 2000;
  EXPECT_EQ(this->Titles(combined), std::vector<std::string>{"Alien"});
}

TYPED_TEST_P(MovieRepositoryContract, FilteredPagesWalkOnce) {
  for (int i = 0; i < 5; ++i) {
    this->repo().Create(this->Draft("Space " + std::to_string(i), 2000 + i, {"Sci-Fi"}));
    this->repo().Create(this->Draft("Other " + std::to_string(i), 2000 + i, {"Drama"}));
  }
  MovieFilter filter;
  filter.q = "space";
  filter.limit = 2;
  std::vector<std::string> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = this->repo().List(filter);
    for (const auto& title : this->Titles(page))
      seen.push_back(title);
    if (!page.next_after_id) break;
    filter.after_id = page.next_after_id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"Space 0", "Space 1", "Space 2", "Space 3", "Space 4"}));
}

TYPED_TEST_P(MovieRepositoryContract, GenresAreTheSeededVocabulary) {
  auto genres = this->repo().ListGenres();
  ASSERT_EQ(genres.size(), 19u);
  EXPECT_EQ(genres.front().id, 1);
  EXPECT_EQ(genres.front().name, "Action");
  EXPECT_EQ(genres[14].name, "Sci-Fi");
  EXPECT_EQ(genres.back().name, "IMAX");
}

REGISTER_TYPED_TEST_SUITE_P(MovieRepositoryContract, CreateThenGetReturnsEveryFieldVerbatim,
                            CreateAppliesDefaults, UnknownGenresAreRefusedNamingThem, UnknownIdsAreAbsent,
                            UpdateChangesOnlyTheGivenFields, SoftDeletedMoviesAreInvisible,
                            PagesWalkEveryMovieOnceInIdOrder, FiltersCombine, FilteredPagesWalkOnce,
                            GenresAreTheSeededVocabulary);

}  // namespace cinerec::catalog
