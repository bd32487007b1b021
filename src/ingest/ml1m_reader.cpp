// ml-1m (and ml-10m, which has no users.dat): movies.dat "id::Title (Year)::Genre|Genre",
// users.dat "id::gender::age::occupation::zip", ratings.dat "user::movie::rating::timestamp". Latin-1.
#include <filesystem>

#include "ingest/delimited_rows.h"
#include "ingest/text.h"

namespace cinerec::ingest {
namespace {

std::string Require(const std::string& dir, const char* name) {
  auto path = (std::filesystem::path(dir) / name).string();
  if (!std::filesystem::exists(path))
    throw IngestError(path + ": missing (ml-1m needs movies.dat and ratings.dat)");
  return path;
}

class Ml1mSource final : public DelimitedMovieLensSource {
 public:
  Ml1mSource(const std::string& dir, const ReadOptions& options)
      : DelimitedMovieLensSource(options, (std::filesystem::path(dir) / "users.dat").string(),
                                 "::", Require(dir, "ratings.dat"), "::"),
        movies_(Require(dir, "movies.dat")) {}

  std::string format() const override { return "ml-1m"; }

  void ReadMovies(const std::function<void(MovieRecord&&)>& fn) override {
    skipped_ += ForEachLine(movies_, false, options_, [&](std::string_view line) {
                  auto f = SplitFields(line, "::");
                  if (f.size() != 3) throw BadRow("expected 3 '::'-separated fields");
                  MovieRecord movie;
                  movie.id = ParseInt(f[0], "movie id");
                  auto title = SplitTitleYear(Latin1ToUtf8(f[1]));
                  if (title.title.empty()) throw BadRow("empty title");
                  movie.title = std::move(title.title);
                  movie.year = title.year;
                  if (!f[2].empty())
                    for (auto g : SplitFields(f[2], "|"))
                      movie.genres.emplace_back(g);
                  fn(std::move(movie));
                }).skipped;
  }

 private:
  std::string movies_;
};

}  // namespace

std::unique_ptr<MovieLensSource> OpenMl1m(const std::string& dir, const ReadOptions& options) {
  return std::make_unique<Ml1mSource>(dir, options);
}

}  // namespace cinerec::ingest
