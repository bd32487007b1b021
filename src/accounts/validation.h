#pragma once
// Validation of account input. Each function throws ApiError: Unprocessable(field, problem) (422, naming the
// field) for a missing or invalid value. Strings are kept verbatim (quotes, SQL, unicode) but NUL bytes and
// invalid UTF-8 never get here: boost::json rejects invalid UTF-8, and NUL is refused explicitly.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace cinerec::accounts {

inline constexpr std::size_t kPasswordMinChars = 10;
inline constexpr std::size_t kPasswordMaxChars = 128;
inline constexpr std::size_t kDisplayNameMaxChars = 100;
inline constexpr std::size_t kEmailMaxChars = 254;
inline constexpr int kBirthYearMin = 1900;
inline constexpr std::size_t kMaxFavouriteGenres = 50;

// Parses a request body as a JSON object; BadRequest (400) when it is not JSON or not an object.
boost::json::object ParseObject(const std::string& body);

// Required string field `name` of `object` (422 when missing or not a string, or when it contains NUL).
std::string RequireString(const boost::json::object& object, const char* name);

// Lower-cases ASCII letters and checks the shape local@domain.tld; returns the normalised e-mail.
std::string NormaliseEmail(const std::string& email);
// 10 to 128 characters (Unicode code points).
void ValidatePassword(const std::string& password, const char* field = "password");
// 1 to 100 characters, no control characters.
void ValidateDisplayName(const std::string& name);
// The profile object: optional language (BCP 47-ish, 2..35 chars), country (ISO 3166-1 alpha-2, upper-case),
// birth_year (1900..this year), favourite_genres (array of up to 50 non-empty strings); other keys are
// refused so that the shape stays known. Returns its serialised form.
std::string ValidateProfile(const boost::json::value& profile);

// Number of Unicode code points in valid UTF-8.
std::size_t Utf8Length(const std::string& s);

}  // namespace cinerec::accounts
