// ml-100k: u.item "id|title|release date|video release date|IMDb URL|19 genre flags" (Latin-1),
// u.user "id|age|gender|occupation|zip", u.data "user<TAB>item<TAB>rating<TAB>timestamp".
#include <array>
#include <filesystem>

#include "ingest/delimited_rows.h"
#include "ingest/text.h"

namespace cinerec::ingest {
namespace {

// The flag order of ml-100k's u.genre; flag 0 ("unknown") is not a genre.
constexpr std::array<const char*, 19> kGenreFlags = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

std::string Require(const std::string& dir, const char* name) {
  auto path = (std::filesystem::path(dir) / name).string();
  if (!std::filesystem::exists(path)) throw IngestError(path + ": missing (ml-100k needs u.item and u.data)");
  return path;
}

class Ml100kSource final : public DelimitedMovieLensSource {
 public:
  Ml100kSource(const std::string& dir, const ReadOptions& options)
      : DelimitedMovieLensSource(options, (std::filesystem::path(dir) / "u.user").string(), "|",
                                 Require(dir, "u.data"), "\t"),
        item_(Require(dir, "u.item")) {}

  std::string format() const override { return "ml-100k"; }

  void ReadMovies(const std::function<void(MovieRecord&&)>& fn) override {
    skipped_ += ForEachLine(item_, false, options_, [&](std::string_view line) {
                  auto f = SplitFields(line, "|");
                  if (f.size() != 5 + kGenreFlags.size())
                    throw BadRow("expected 24 '|'-separated fields, found " + std::to_string(f.size()));
                  MovieRecord movie;
                  movie.id = ParseInt(f[0], "movie id");
                  auto title = SplitTitleYear(Latin1ToUtf8(f[1]));
                  if (title.title.empty()) throw BadRow("empty title");
                  movie.title = std::move(title.title);
                  movie.year = title.year;
                  // Release date "01-Jan-1995": its year when the title has none.
                  if (!movie.year && f[2].size() == 11) {
                    auto y = ParseInt(f[2].substr(7), "release year");
                    if (y >= 1870 && y <= 2100) movie.year = static_cast<int>(y);
                  }
                  for (std::size_t i = 0; i < kGenreFlags.size(); ++i) {
                    auto flag = f[5 + i];
                    if (flag != "0" && flag != "1") throw BadRow("genre flag is not 0 or 1");
                    if (flag == "1" && i > 0) movie.genres.emplace_back(kGenreFlags[i]);
                  }
                  fn(std::move(movie));
                }).skipped;
  }

 private:
  std::string item_;
};

}  // namespace

std::unique_ptr<MovieLensSource> OpenMl100k(const std::string& dir, const ReadOptions& options) {
  return std::make_unique<Ml100kSource>(dir, options);
}

}  // namespace cinerec::ingest
