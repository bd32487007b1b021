#pragma once
// The JSON shape of a movie (Boost.JSON), both ways. Parsing throws BadRequest (400) for a body that is not
// a JSON object, and Unprocessable (422) naming the member for a wrong type, an unknown or read-only member,
// or a value that fails Validate.
#include <boost/json/object.hpp>
#include <string_view>

#include "catalog/movie.h"

namespace cinerec::catalog {

// POST body: `title` required, everything else optional with the defaults of Movie.
Movie MovieFromJson(std::string_view body);
// PATCH body: only the members present change; null clears original_title, year and duration_s.
MoviePatch MoviePatchFromJson(std::string_view body);

boost::json::object ToJson(const Movie& movie);
boost::json::object ToJson(const Genre& genre);

}  // namespace cinerec::catalog
