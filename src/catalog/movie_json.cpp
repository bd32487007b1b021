#include "catalog/movie_json.h"

#include <boost/json.hpp>
#include <limits>

#include "common/errors.h"

namespace cinerec::catalog {
namespace {

namespace json = boost::json;

json::object ParseObject(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec) throw BadRequest("the body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw BadRequest("the body must be a JSON object");
  return std::move(value.as_object());
}

std::string String(const json::value& value, const std::string& field) {
  if (!value.is_string()) throw Unprocessable(field, "must be a string");
  return std::string(value.get_string());
}

int Int(const json::value& value, const std::string& field) {
  auto number = value.if_int64();
  if (!number && value.is_uint64()) throw Unprocessable(field, "is out of range");
  if (!number) throw Unprocessable(field, "must be an integer");
  if (*number < std::numeric_limits<int>::min() || *number > std::numeric_limits<int>::max())
    throw Unprocessable(field, "is out of range");
  return static_cast<int>(*number);
}

std::optional<std::string> NullableString(const json::value& value, const std::string& field) {
  if (value.is_null()) return std::nullopt;
  return String(value, field);
}

std::optional<int> NullableInt(const json::value& value, const std::string& field) {
  if (value.is_null()) return std::nullopt;
  return Int(value, field);
}

std::vector<std::string> Strings(const json::value& value, const std::string& field) {
  if (!value.is_array()) throw Unprocessable(field, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& element : value.get_array())
    out.push_back(String(element, field));
  return out;
}

json::object Object(const json::value& value, const std::string& field) {
  if (!value.is_object()) throw Unprocessable(field, "must be a JSON object");
  return value.get_object();
}

// Fills `patch` from the members of `object`; shared by POST and PATCH so both accept the same names.
void ReadMembers(const json::object& object, MoviePatch& patch) {
  for (const auto& [key, value] : object) {
    const std::string field(key);
    if (field == "title") {
      patch.title = String(value, field);
    } else if (field == "original_title") {
      patch.original_title = NullableString(value, field);
    } else if (field == "year") {
      patch.year = NullableInt(value, field);
    } else if (field == "genres") {
      patch.genres = Strings(value, field);
    } else if (field == "description") {
      patch.description = String(value, field);
    } else if (field == "duration_s") {
      patch.duration_s = NullableInt(value, field);
    } else if (field == "age_rating") {
      patch.age_rating = String(value, field);
    } else if (field == "available_tiers") {
      patch.available_tiers = Strings(value, field);
    } else if (field == "extra") {
      patch.extra = Object(value, field);
    } else if (field == "id" || field == "created_at" || field == "updated_at") {
      throw Unprocessable(field, "is read-only");
    } else {
      // A typo would otherwise be silently ignored; the client learns at once.
      throw Unprocessable(field.find('\0') == std::string::npos ? field : "(member with NUL)",
                          "unknown member");
    }
  }
}

template <typename T>
json::value OrNull(const std::optional<T>& value) {
  if (!value) return nullptr;
  return json::value_from(*value);
}

}  // namespace

Movie MovieFromJson(std::string_view body) {
  MoviePatch patch;
  ReadMembers(ParseObject(body), patch);
  if (!patch.title) throw Unprocessable("title", "is required");
  Movie movie;
  Apply(patch, movie);
  Validate(movie);
  return movie;
}

MoviePatch MoviePatchFromJson(std::string_view body) {
  MoviePatch patch;
  ReadMembers(ParseObject(body), patch);
  Validate(patch);
  return patch;
}

json::object ToJson(const Movie& movie) {
  json::array genres, tiers;
  for (const auto& genre : movie.genres)
    genres.emplace_back(genre);
  for (const auto& tier : movie.available_tiers)
    tiers.emplace_back(tier);
  return {
      {"id", movie.id},
      {"title", movie.title},
      {"original_title", OrNull(movie.original_title)},
      {"year", OrNull(movie.year)},
      {"genres", std::move(genres)},
      {"description", movie.description},
      {"duration_s", OrNull(movie.duration_s)},
      {"age_rating", movie.age_rating},
      {"available_tiers", std::move(tiers)},
      {"extra", movie.extra},
      {"created_at", movie.created_at},
      {"updated_at", movie.updated_at},
  };
}

json::object ToJson(const Genre& genre) {
  return {{"id", genre.id}, {"name", genre.name}};
}

}  // namespace cinerec::catalog
