#pragma once
// The catalog's domain: a movie, a partial change to one (PATCH), and the rules both must satisfy.
// Plain code: no HTTP, no SQL. Validation throws ApiError 422 (Unprocessable) naming the field, so the
// message reaches the client unchanged.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"

namespace cinerec::catalog {

// Limits (the migration's CHECKs are looser or equal, so a validated movie always fits the table).
inline constexpr std::size_t kMaxTitleChars = 300;
inline constexpr std::size_t kMaxDescriptionChars = 20000;
inline constexpr int kMinYear = 1870;
inline constexpr int kMaxYear = 2100;
inline constexpr std::size_t kMaxExtraBytes = 16 * 1024;  // serialized JSON
inline constexpr std::size_t kMaxGenres = 19;             // the whole vocabulary
inline constexpr std::string_view kTiers[] = {"free", "basic", "premium"};
inline constexpr std::string_view kAgeRatings[] = {"G", "PG", "PG-13", "R", "NC-17", "NR"};

struct Genre {
  int id = 0;
  std::string name;
};

struct Movie {
  std::int64_t id = 0;  // assigned by the repository; ignored on Create
  std::string title;
  std::optional<std::string> original_title;
  std::optional<int> year;
  std::vector<std::string> genres;  // genre names; the repository returns them sorted, without duplicates
  std::string description;
  std::optional<int> duration_s;
  std::string age_rating = "NR";
  std::vector<std::string> available_tiers = {"free", "basic", "premium"};
  boost::json::object extra;
  std::string created_at;  // RFC 3339 UTC with microseconds, set by the repository
  std::string updated_at;

  bool operator==(const Movie&) const = default;
};

// PATCH semantics: an absent member leaves the field unchanged. For nullable fields the inner optional is
// the new value, so `original_title = std::optional<std::string>{}` clears it.
struct MoviePatch {
  std::optional<std::string> title;
  std::optional<std::optional<std::string>> original_title;
  std::optional<std::optional<int>> year;
  std::optional<std::vector<std::string>> genres;
  std::optional<std::string> description;
  std::optional<std::optional<int>> duration_s;
  std::optional<std::string> age_rating;
  std::optional<std::vector<std::string>> available_tiers;
  std::optional<boost::json::object> extra;
};

// Throws Unprocessable(field, problem) on the first invalid field. Genre names are checked for shape only:
// whether they exist is the repository's business (it knows the vocabulary).
void Validate(const Movie& movie);
void Validate(const MoviePatch& patch);

// Copies the patch's present fields into `movie`.
void Apply(const MoviePatch& patch, Movie& movie);

// Sorted, duplicates removed: the order in which repositories return genre names.
std::vector<std::string> NormalizeGenres(std::vector<std::string> genres);

// Unicode code points of valid UTF-8 (what the client counts, and what PostgreSQL's char_length counts).
std::size_t Utf8Length(std::string_view text);

// Well-formed UTF-8 as PostgreSQL accepts it (common/utf8.h).
using cinerec::IsValidUtf8;

}  // namespace cinerec::catalog
