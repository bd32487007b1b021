#pragma once
// Text helpers for the MovieLens formats: field splitting, RFC 4180 CSV, Latin-1 to UTF-8, titles.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec::ingest {

// A malformed row in a source file: what() names the file and the 1-based line.
class IngestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by a row parser for a row it cannot read; the line reader adds file and line (IngestError).
class BadRow : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Splits on every occurrence of `separator` (no quoting): "a::b" -> {"a", "b"}, "a||" -> {"a", "", ""}.
std::vector<std::string_view> SplitFields(std::string_view line, std::string_view separator);

// One RFC 4180 record on one line: fields separated by commas, a field in double quotes may hold commas
// and doubled quotes (""). Throws BadRow for an unterminated quote or text after a closing quote.
std::vector<std::string> ParseCsvLine(std::string_view line);

// ISO-8859-1 bytes to UTF-8 (every byte is a code point, so this never fails).
std::string Latin1ToUtf8(std::string_view latin1);

// Throws BadRow naming `what` unless the whole text is a base-10 integer / a decimal number.
std::int64_t ParseInt(std::string_view text, const char* what);
double ParseDouble(std::string_view text, const char* what);

// "Toy Story (1995)" -> title "Toy Story", year 1995. A title without a trailing "(YYYY)" in 1870-2100 is
// kept whole with no year. A title that would become empty is kept whole.
struct TitleYear {
  std::string title;
  std::optional<int> year;
};
TitleYear SplitTitleYear(std::string_view title);

// Strips a trailing '\r' (files written on Windows).
std::string_view StripCr(std::string_view line);

}  // namespace cinerec::ingest
