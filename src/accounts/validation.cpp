#include "accounts/validation.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "common/errors.h"

namespace cinerec::accounts {
namespace {

bool HasControl(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

int CurrentYear() {
  auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<int>(std::chrono::year_month_day(days).year());
}

}  // namespace

boost::json::object ParseObject(const std::string& body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) throw BadRequest("the body is not valid JSON: " + ec.message());
  if (!value.is_object()) throw BadRequest("the body must be a JSON object");
  return std::move(value.as_object());
}

std::string RequireString(const boost::json::object& object, const char* name) {
  const auto* v = object.if_contains(name);
  if (!v || v->is_null()) throw Unprocessable(name, "is required");
  if (!v->is_string()) throw Unprocessable(name, "must be a string");
  std::string s(v->as_string());
  if (s.find('\0') != std::string::npos) throw Unprocessable(name, "must not contain NUL characters");
  return s;
}

std::size_t Utf8Length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string NormaliseEmail(const std::string& email) {
  std::string out = email;
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (out.size() < 3 || out.size() > kEmailMaxChars)
    throw Unprocessable("email", "must have 3 to 254 characters");
  auto at = out.find('@');
  if (at == std::string::npos || at == 0 || out.find('@', at + 1) != std::string::npos)
    throw Unprocessable("email", "must look like name@example.com");
  auto dot = out.find('.', at + 2);
  if (dot == std::string::npos || dot + 1 >= out.size())
    throw Unprocessable("email", "must look like name@example.com");
  for (unsigned char c : out)
    if (c <= 0x20 || c == 0x7f) throw Unprocessable("email", "must not contain spaces or control characters");
  return out;
}

void ValidatePassword(const std::string& password, const char* field) {
  auto n = Utf8Length(password);
  if (n < kPasswordMinChars || n > kPasswordMaxChars)
    throw Unprocessable(field, "must have 10 to 128 characters");
}

void ValidateDisplayName(const std::string& name) {
  auto n = Utf8Length(name);
  if (n < 1 || n > kDisplayNameMaxChars) throw Unprocessable("display_name", "must have 1 to 100 characters");
  if (HasControl(name)) throw Unprocessable("display_name", "must not contain control characters");
}

std::string ValidateProfile(const boost::json::value& profile) {
  if (!profile.is_object()) throw Unprocessable("profile", "must be an object");
  for (const auto& [key, value] : profile.as_object()) {
    if (key == "language") {
      if (!value.is_string() || value.as_string().size() < 2 || value.as_string().size() > 35)
        throw Unprocessable("profile.language", "must be a language tag such as \"en\" or \"pt-BR\"");
      for (char c : value.as_string())
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
          throw Unprocessable("profile.language", "must be a language tag such as \"en\" or \"pt-BR\"");
    } else if (key == "country") {
      if (!value.is_string() || value.as_string().size() != 2 || !std::isupper(value.as_string()[0])
          || !std::isupper(value.as_string()[1]))
        throw Unprocessable("profile.country", "must be an ISO 3166-1 alpha-2 code such as \"DE\"");
    } else if (key == "birth_year") {
      if (!value.is_int64() || value.as_int64() < kBirthYearMin || value.as_int64() > CurrentYear())
        throw Unprocessable("profile.birth_year", "must be a year between 1900 and this year");
    } else if (key == "favourite_genres") {
      if (!value.is_array() || value.as_array().size() > kMaxFavouriteGenres)
        throw Unprocessable("profile.favourite_genres", "must be an array of at most 50 genre names");
      for (const auto& g : value.as_array()) {
        if (!g.is_string() || g.as_string().empty() || g.as_string().size() > 100
            || HasControl(std::string(g.as_string())))
          throw Unprocessable("profile.favourite_genres", "must contain non-empty genre names");
      }
    } else {
      throw Unprocessable("profile." + std::string(key), "is not a known profile field");
    }
  }
  return boost::json::serialize(profile);
}

}  // namespace cinerec::accounts
