#include "accounts/validation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/errors.h"

namespace cinerec::accounts {
namespace {

std::string FieldOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 422) << e.what();
    std::string m = e.what();
    return m.substr(0, m.find(':'));
  }
  return "";
}

TEST(AccountValidationTest, EmailIsLowerCasedAndShapeChecked) {
  EXPECT_EQ(NormaliseEmail("Ann.Lee@Example.COM"), "ann.lee@example.com");
  EXPECT_EQ(FieldOf([] { NormaliseEmail("no-at-sign"); }), "email");
  EXPECT_EQ(FieldOf([] { NormaliseEmail("a@b"); }), "email");
  EXPECT_EQ(FieldOf([] { NormaliseEmail("a b@example.com"); }), "email");
}

TEST(AccountValidationTest, PasswordLengthCountsCodePoints) {
  EXPECT_NO_THROW(ValidatePassword("0123456789"));
  EXPECT_EQ(FieldOf([] { ValidatePassword("012345678"); }), "password");
  EXPECT_NO_THROW(ValidatePassword("ééééééééééé"));  // 11 code points, 22 bytes
  EXPECT_EQ(FieldOf([] { ValidatePassword(std::string(129, 'x')); }), "password");
}

TEST(AccountValidationTest, DisplayNameKeepsQuotesAndUnicodeButNotControls) {
  EXPECT_NO_THROW(ValidateDisplayName("O'Brien \"; DROP TABLE users; -- 🎬"));
  EXPECT_EQ(FieldOf([] { ValidateDisplayName(""); }), "display_name");
  EXPECT_EQ(FieldOf([] { ValidateDisplayName(std::string("a\0b", 3)); }), "display_name");
}

TEST(AccountValidationTest, ProfileShapeIsValidatedFieldByField) {
  auto ok = boost::json::parse(
      R"({"language":"pt-BR","country":"DE","birth_year":1990,"favourite_genres":["Drama","Sci-Fi"]})");
  EXPECT_NO_THROW(ValidateProfile(ok));
  EXPECT_EQ(FieldOf([] { ValidateProfile(boost::json::parse(R"({"country":"de"})")); }), "profile.country");
  EXPECT_EQ(FieldOf([] { ValidateProfile(boost::json::parse(R"({"birth_year":1800})")); }),
            "profile.birth_year");
  EXPECT_EQ(FieldOf([] { ValidateProfile(boost::json::parse(R"({"favourite_genres":"Drama"})")); }),
            "profile.favourite_genres");
  EXPECT_EQ(FieldOf([] { ValidateProfile(boost::json::parse(R"({"shoe_size":44})")); }), "profile.shoe_size");
  EXPECT_EQ(FieldOf([] { ValidateProfile(boost::json::parse("[]")); }), "profile");
}

TEST(AccountValidationTest, BodiesMustBeJsonObjects) {
  EXPECT_THROW(ParseObject("{not json"), ApiError);
  try {
    ParseObject("[1]");
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
  }
  auto o = ParseObject(R"({"email":"x","n":1})");
  EXPECT_EQ(FieldOf([&] { RequireString(o, "password"); }), "password");
  EXPECT_EQ(FieldOf([&] { RequireString(o, "n"); }), "n");
}

}  // namespace
}  // namespace cinerec::accounts
