#include "training/pg_movie_content.h"

#include "storage/postgres/pg_pool.h"

namespace cinerec::training {
namespace {

// Genres joined with '\x1f' (unit separator), which no genre name contains (names are 1-50 printable
// characters), so that one row per movie needs no array parsing.
constexpr const char* kMovies = R"sql(
SELECT m.id, m.title || ' ' || m.description, COALESCE(m.year, 0),
       COALESCE(string_agg(g.name, E'\x1f' ORDER BY g.id), '')
FROM movies m
LEFT JOIN movie_genres mg ON mg.movie_id = m.id
LEFT JOIN genres g ON g.id = mg.genre_id
GROUP BY m.id)sql";

}  // namespace

CatalogContent ReadCatalogContent(PgPool& pg) {
  CatalogContent out;
  const PgResult genres = pg.Exec("SELECT name FROM genres ORDER BY id");
  for (int r = 0; r < genres.rows(); ++r)
    out.genres.emplace_back(genres.Get(r, 0));
  const PgResult movies = pg.Exec(kMovies);
  out.movies.reserve(static_cast<std::size_t>(movies.rows()));
  for (int r = 0; r < movies.rows(); ++r) {
    ml::MovieContent content;
    content.text = std::string(movies.Get(r, 1));
    content.year = static_cast<int>(movies.GetInt(r, 2));
    const std::string_view joined = movies.Get(r, 3);
    std::size_t start = 0;
    while (start < joined.size()) {
      const auto end = std::min(joined.find('\x1f', start), joined.size());
      content.genres.emplace_back(joined.substr(start, end - start));
      start = end + 1;
    }
    out.movies.emplace(movies.GetInt(r, 0), std::move(content));
  }
  return out;
}

}  // namespace cinerec::training
