#include "ingest/movielens_import.h"

#include <spdlog/spdlog.h>

#include "ingest/progress.h"

namespace cinerec::ingest {

Interaction RatingToInteraction(const std::string& source, const RatingRecord& rating,
                                const RatingMapping& mapping) {
  Interaction i;
  i.user = rating.user;
  i.movie = rating.movie;
  i.stop_time = rating.timestamp;
  // MovieLens knows neither the duration nor how much was watched: a rating says "watched it", so the view
  // is completed with watched_s = 0 (unknown) rather than an invented length.
  i.watched_s = 0;
  i.completed = true;
  if (rating.rating >= mapping.like_threshold)
    i.reaction = 1;
  else if (rating.rating <= mapping.dislike_threshold)
    i.reaction = -1;
  // One rating per (user, movie) in MovieLens; the time keeps the key unique should a file repeat a pair.
  i.session_key = "import:" + source + ":" + std::to_string(rating.user) + ":" + std::to_string(rating.movie)
                  + ":" + std::to_string(rating.timestamp);
  return i;
}

ImportSummary ImportMovieLens(MovieLensSource& source, StoreWriter& writer, const RatingMapping& mapping) {
  ImportSummary summary;
  Progress progress("import " + source.format(), source.ratings_file_bytes());
  std::vector<MovieRecord> movies;
  source.ReadMovies([&](MovieRecord&& m) { movies.push_back(std::move(m)); });
  summary.movies_read = movies.size();
  writer.WriteMovies(movies);
  movies = {};
  source.ReadUsers([&](const UserRecord& u) {
    ++summary.users_read;
    writer.AddUser(u.id);
  });
  const std::string format = source.format();
  source.ReadRatings([&](const RatingRecord& r) {
    ++summary.ratings_read;
    writer.AddInteraction(RatingToInteraction(format, r, mapping));
    if ((summary.ratings_read & 1023) == 0)
      progress.Update(source.ratings_bytes_read(), summary.ratings_read);
  });
  writer.Finish();
  summary.skipped_rows = source.skipped_rows();
  summary.seconds = progress.Finish();
  return summary;
}

}  // namespace cinerec::ingest
