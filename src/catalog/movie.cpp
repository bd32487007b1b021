#include "catalog/movie.h"

#include <algorithm>
#include <boost/json.hpp>

#include "common/errors.h"

namespace cinerec::catalog {
namespace {

// PostgreSQL text can't hold NUL (libpq parameters are C strings, jsonb refuses \u0000): reject it here, as a
// client mistake, instead of letting it truncate a value or fail as a 500.
void RejectNul(const std::string& field, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) throw Unprocessable(field, "must not contain NUL bytes");
}

void CheckText(const std::string& field, std::string_view value, std::size_t max_chars, bool allow_empty) {
  RejectNul(field, value);
  const auto chars = Utf8Length(value);
  if (!allow_empty && value.find_first_not_of(" \t\r\n") == std::string_view::npos)
    throw Unprocessable(field, "must not be empty or blank");
  if (chars > max_chars)
    throw Unprocessable(field, "must be at most " + std::to_string(max_chars) + " characters");
}

void CheckTitle(const std::string& field, std::string_view value) {
  CheckText(field, value, kMaxTitleChars, false);
}

void CheckYear(const std::optional<int>& year) {
  if (year && (*year < kMinYear || *year > kMaxYear))
    throw Unprocessable("year",
                        "must be between " + std::to_string(kMinYear) + " and " + std::to_string(kMaxYear));
}

void CheckDuration(const std::optional<int>& duration) {
  if (duration && *duration <= 0) throw Unprocessable("duration_s", "must be a positive number of seconds");
}

void CheckGenres(const std::vector<std::string>& genres) {
  if (genres.size() > kMaxGenres) throw Unprocessable("genres", "too many genres");
  for (const auto& genre : genres) {
    RejectNul("genres", genre);
    if (genre.empty() || genre.size() > 50)
      throw Unprocessable("genres", "a genre name must be 1-50 characters");
  }
}

void CheckAgeRating(const std::string& rating) {
  RejectNul("age_rating", rating);
  if (std::find(std::begin(kAgeRatings), std::end(kAgeRatings), rating) == std::end(kAgeRatings))
    throw Unprocessable("age_rating", "must be one of G, PG, PG-13, R, NC-17, NR");
}

void CheckTiers(const std::vector<std::string>& tiers) {
  if (tiers.empty()) throw Unprocessable("available_tiers", "must name at least one tier");
  for (const auto& tier : tiers) {
    RejectNul("available_tiers", tier);
    if (std::find(std::begin(kTiers), std::end(kTiers), tier) == std::end(kTiers))
      throw Unprocessable("available_tiers", "'" + tier + "' is not one of free, basic, premium");
  }
}

void CheckJsonHasNoNul(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      RejectNul("extra", value.get_string());
      break;
    case boost::json::kind::array:
      for (const auto& element : value.get_array())
        CheckJsonHasNoNul(element);
      break;
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        RejectNul("extra", member.key());
        CheckJsonHasNoNul(member.value());
      }
      break;
    default:
      break;
  }
}

void CheckExtra(const boost::json::object& extra) {
  CheckJsonHasNoNul(extra);
  if (boost::json::serialize(extra).size() > kMaxExtraBytes)
    throw Unprocessable("extra", "must be at most " + std::to_string(kMaxExtraBytes) + " bytes as JSON");
}

}  // namespace

std::size_t Utf8Length(std::string_view text) {
  // Count every byte that does not continue a sequence (10xxxxxx).
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}


void Validate(const Movie& movie) {
  CheckTitle("title", movie.title);
  if (movie.original_title) CheckTitle("original_title", *movie.original_title);
  CheckYear(movie.year);
  CheckGenres(movie.genres);
  CheckText("description", movie.description, kMaxDescriptionChars, true);
  CheckDuration(movie.duration_s);
  CheckAgeRating(movie.age_rating);
  CheckTiers(movie.available_tiers);
  CheckExtra(movie.extra);
}

void Validate(const MoviePatch& patch) {
  if (patch.title) CheckTitle("title", *patch.title);
  if (patch.original_title && *patch.original_title) CheckTitle("original_title", **patch.original_title);
  if (patch.year) CheckYear(*patch.year);
  if (patch.genres) CheckGenres(*patch.genres);
  if (patch.description) CheckText("description", *patch.description, kMaxDescriptionChars, true);
  if (patch.duration_s) CheckDuration(*patch.duration_s);
  if (patch.age_rating) CheckAgeRating(*patch.age_rating);
  if (patch.available_tiers) CheckTiers(*patch.available_tiers);
  if (patch.extra) CheckExtra(*patch.extra);
}

void Apply(const MoviePatch& patch, Movie& movie) {
  if (patch.title) movie.title = *patch.title;
  if (patch.original_title) movie.original_title = *patch.original_title;
  if (patch.year) movie.year = *patch.year;
  if (patch.genres) movie.genres = NormalizeGenres(*patch.genres);
  if (patch.description) movie.description = *patch.description;
  if (patch.duration_s) movie.duration_s = *patch.duration_s;
  if (patch.age_rating) movie.age_rating = *patch.age_rating;
  if (patch.available_tiers) movie.available_tiers = *patch.available_tiers;
  if (patch.extra) movie.extra = *patch.extra;
}

std::vector<std::string> NormalizeGenres(std::vector<std::string> genres) {
  std::sort(genres.begin(), genres.end());
  genres.erase(std::unique(genres.begin(), genres.end()), genres.end());
  return genres;
}

}  // namespace cinerec::catalog
