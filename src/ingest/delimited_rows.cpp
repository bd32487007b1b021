#include "ingest/delimited_rows.h"

#include <filesystem>

#include "ingest/text.h"

namespace cinerec::ingest {
namespace {

std::string Expected(std::size_t fields, std::string_view separator) {
  std::string name = separator == "\t" ? "tab" : "'" + std::string(separator) + "'";
  return "expected " + std::to_string(fields) + " " + name + "-separated fields";
}

}  // namespace

DelimitedMovieLensSource::DelimitedMovieLensSource(const ReadOptions& options, std::string users_path,
                                                   std::string users_separator, std::string ratings_path,
                                                   std::string ratings_separator)
    : options_(options),
      users_path_(std::move(users_path)),
      users_separator_(std::move(users_separator)),
      ratings_path_(std::move(ratings_path)),
      ratings_separator_(std::move(ratings_separator)) {}

void DelimitedMovieLensSource::ReadUsers(const std::function<void(const UserRecord&)>& fn) {
  if (!std::filesystem::exists(users_path_)) return;
  const std::string expected = Expected(5, users_separator_);
  skipped_ += ForEachLine(users_path_, false, options_, [&](std::string_view line) {
                auto f = SplitFields(line, users_separator_);
                if (f.size() != 5) throw BadRow(expected);
                fn(UserRecord{ParseInt(f[0], "user id")});
              }).skipped;
}

void DelimitedMovieLensSource::ReadRatings(const std::function<void(const RatingRecord&)>& fn) {
  const std::string expected = Expected(4, ratings_separator_);
  skipped_ += ForEachLine(
                  ratings_path_, false, options_,
                  [&](std::string_view line) {
                    auto f = SplitFields(line, ratings_separator_);
                    if (f.size() != 4) throw BadRow(expected);
                    fn(RatingRecord{ParseInt(f[0], "user id"), ParseInt(f[1], "movie id"),
                                    ParseDouble(f[2], "rating"), ParseInt(f[3], "timestamp")});
                  },
                  &ratings_bytes_read_)
                  .skipped;
}

std::uint64_t DelimitedMovieLensSource::ratings_file_bytes() const {
  return std::filesystem::file_size(ratings_path_);
}

}  // namespace cinerec::ingest
