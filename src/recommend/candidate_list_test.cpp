#include "recommend/candidate_list.h"

#include <gtest/gtest.h>

namespace cinerec::recommend {
namespace {

CandidateList Sample() {
  CandidateList list;
  list.model_version = "20260101T000000Z-0a1b2c";
  list.variant = "control";
  list.source = Source::kFoldIn;
  list.created_ms = 1767225600123;
  list.epoch = 7;
  list.Add(42, 1.5f, Source::kFoldIn, Reason::kBecauseYouWatched, "17");
  list.Add(43, -0.25f, Source::kContent, Reason::kNewInYourGenres, "Sci-Fi");
  list.Add(44, 0.125f, Source::kFoldIn, Reason::kPopularInGenre, "Film Noir 100% \n-");
  list.Add(45, 0.0f, Source::kFoldIn, Reason::kForYou);
  list.Add(46, 0.0f, Source::kFoldIn, Reason::kMatchesYourGenres, "-");
  list.Add(47, 0.0f, Source::kContent, Reason::kNewInYourGenres, "Sci-Fi");
  return list;
}

TEST(CandidateListAnchors, EachTextIsHeldOnceAndNoneIsIndexZero) {
  const auto list = Sample();
  EXPECT_EQ(list.anchors.size(), 5u) << "'', 17, Sci-Fi, Film Noir..., -";
  EXPECT_EQ(list.items[1].anchor, list.items[5].anchor);
  EXPECT_EQ(list.AnchorOf(list.items[1]), "Sci-Fi");
  EXPECT_EQ(list.items[3].anchor, 0);
  EXPECT_EQ(list.AnchorOf(list.items[3]), "");
  EXPECT_EQ(sizeof(Candidate), 16u) << "the in-process layer's memory per candidate";
}

TEST(CandidateListCodec, RoundTripsEveryField) {
  const auto list = Sample();
  EXPECT_EQ(Decode(Encode(list)), list);
}

TEST(CandidateListCodec, AnEmptyListAndNoModelRoundTrip) {
  CandidateList list;
  list.variant = "v";
  list.source = Source::kTrending;
  EXPECT_EQ(Decode(Encode(list)), list);
}

TEST(CandidateListCodec, ScoresKeepFullFloatPrecision) {
  CandidateList list;
  list.variant = "v";
  list.Add(1, 0.1234567f, Source::kPersonal, Reason::kForYou);
  EXPECT_EQ(Decode(Encode(list)).items[0].score, 0.1234567f);
}

TEST(CandidateListCodec, RefusesGarbage) {
  for (const std::string bad :
       {"", "cr1\n", "cr2 v x personal 1 0 0\n", "cr1 m v personal 1 0 1\n",
        "cr1 m v personal 1 0 1\n1 2 personal for_you\n", "cr1 m v nonsense 1 0 0\n",
        "cr1 m v personal 1 0 1\nx 1 personal for_you -\n", "cr1 m v personal 1 0 1\n1 1 personal because -",
        "cr1 m v personal 1 0 1\n1 1 personal for_you %4\n"})
    EXPECT_THROW(Decode(bad), std::invalid_argument) << bad;
}

TEST(CandidateListCodec, RefusesVariantsAndVersionsWithSpaces) {
  auto list = Sample();
  list.variant = "a b";
  EXPECT_THROW(Encode(list), std::invalid_argument);
}

TEST(CandidateListNames, MatchTheImpressionsEnum) {
  EXPECT_EQ(ToString(Source::kPersonal), "personal");
  EXPECT_EQ(ToString(Source::kFoldIn), "fold_in");
  EXPECT_EQ(ToString(Source::kColdStart), "cold_start");
  EXPECT_EQ(ToString(Source::kPopular), "popular");
  EXPECT_EQ(SourceFromString("similar"), Source::kSimilar);
  EXPECT_THROW(SourceFromString("x"), std::invalid_argument);
}

}  // namespace
}  // namespace cinerec::recommend
