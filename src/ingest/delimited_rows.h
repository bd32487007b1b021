#pragma once
// ml-100k and ml-1m share their user and rating files' shape (5-field users, "user movie rating timestamp"
// ratings) and differ only by separator: this base class reads both; subclasses add format() and ReadMovies.
#include <cstdint>
#include <functional>
#include <string>

#include "ingest/movielens_source.h"

namespace cinerec::ingest {

class DelimitedMovieLensSource : public MovieLensSource {
 public:
  // `users_path` may not exist (no users then); `ratings_path` must.
  DelimitedMovieLensSource(const ReadOptions& options, std::string users_path, std::string users_separator,
                           std::string ratings_path, std::string ratings_separator);

  void ReadUsers(const std::function<void(const UserRecord&)>& fn) override;
  void ReadRatings(const std::function<void(const RatingRecord&)>& fn) override;
  std::uint64_t ratings_file_bytes() const override;

 protected:
  ReadOptions options_;

 private:
  std::string users_path_, users_separator_, ratings_path_, ratings_separator_;
};

}  // namespace cinerec::ingest
