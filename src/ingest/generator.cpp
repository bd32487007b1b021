#include "ingest/generator.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/generator_text.h"
#include "ingest/random.h"

namespace cinerec::ingest {
namespace {

// Genre names as in the genres table, with the share of movies that carry each (roughly MovieLens').
struct GenreShare {
  const char* name;
  double weight;
};
constexpr std::array<GenreShare, 19> kGenres = {{{"Drama", 18},
                                                 {"Comedy", 15},
                                                 {"Action", 8},
                                                 {"Thriller", 8},
                                                 {"Romance", 7},
                                                 {"Adventure", 5},
                                                 {"Crime", 5},
                                                 {"Sci-Fi", 4},
                                                 {"Horror", 4},
                                                 {"Children", 3},
                                                 {"Fantasy", 3},
                                                 {"Mystery", 3},
                                                 {"Animation", 3},
                                                 {"Documentary", 3},
                                                 {"War", 2},
                                                 {"Musical", 2},
                                                 {"Western", 1},
                                                 {"Film-Noir", 1},
                                                 {"IMAX", 1}}};
constexpr std::array<const char*, 4> kDevices = {"tv", "web", "ios", "android"};

constexpr double kPopularityExponent = 0.9;  // Zipf exponent of movie popularity
constexpr double kTasteConcentration = 2.0;  // Dirichlet total: small = users like few genres
constexpr double kByCircle = 0.6;            // share of picks from one of the user's taste circles
constexpr double kByTaste = 0.7;             // of the other picks, the share that start from a liked genre
constexpr int kCircleSize = 25;              // movies per taste circle (catalogue / 25 circles)
constexpr int kCirclesPerUser = 2;           // circles a user follows
constexpr double kBinge = 0.4;               // chance that the next view follows in the same session
constexpr double kActivitySigma = 1.2;       // log-normal spread of activity between users

// Independent streams per purpose and index, so that a user's records do not depend on earlier users.
enum Stream : std::uint64_t { kMovies = 1, kRanks = 2, kActivity = 3, kUsers = 4, kCircles = 5 };
Rng StreamRng(std::uint64_t seed, Stream stream, std::uint64_t index) {
  return Rng(Mix64(Mix64(seed ^ (stream * 0x9E3779B97F4A7C15ULL)) ^ index));
}

struct Catalog {
  std::vector<std::vector<std::uint8_t>> genres;  // by movie index (id - 1)
  std::vector<int> duration_s;
  ZipfTable global;                                  // over movie indices
  std::vector<std::vector<std::uint32_t>> by_genre;  // movie indices of each genre
  std::vector<ZipfTable> genre_tables;
  // Taste circles: groups of movies that the same people watch beyond what genres say (a director's work,
  // a franchise, a style). Real histories have this collaborative structure; without it, genres and
  // popularity would explain everything and collaborative filtering would have nothing to learn.
  std::vector<std::vector<std::uint32_t>> circles;  // movie indices of each circle
  std::vector<ZipfTable> circle_tables;
};

std::vector<double> GenreWeights() {
  std::vector<double> w;
  for (const auto& g : kGenres)
    w.push_back(g.weight);
  return w;
}

Catalog MakeMovies(const GeneratorOptions& o, GeneratorSink& sink) {
  Catalog catalog;
  const auto weights = GenreWeights();
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const auto n = static_cast<std::size_t>(o.movies);
  catalog.genres.resize(n);
  catalog.duration_s.resize(n);
  catalog.by_genre.resize(kGenres.size());
  // Circles: each movie joins a random one (its own stream, so ids say nothing about it: a test that holds
  // out every 10th id must not hold out whole circles), so every circle holds popular and obscure movies of
  // several genres.
  const std::size_t circles = std::max<std::size_t>(1, n / kCircleSize);
  const auto circle_of = [&o, circles](std::size_t m) {
    return StreamRng(o.seed, kCircles, m).Below(circles);
  };
  for (std::size_t m = 0; m < n; ++m) {
    Rng rng = StreamRng(o.seed, kMovies, m);
    MovieRecord movie;
    movie.id = static_cast<std::int64_t>(m) + 1;
    movie.title = SyntheticTitle(rng);
    double u = rng.Uniform();
    movie.year = 2025 - static_cast<int>(95 * u * u);  // most movies are recent
    double minutes = 85 + 20 * std::abs(rng.Normal()) + static_cast<double>(rng.Below(30));
    movie.duration_s = static_cast<int>(std::min(minutes, 240.0) * 60);
    const std::size_t count = rng.Chance(0.5) ? 1 : rng.Chance(0.6) ? 2 : 3;
    auto& genres = catalog.genres[m];
    while (genres.size() < count) {
      auto g = static_cast<std::uint8_t>(rng.Categorical(weights, total));
      if (std::find(genres.begin(), genres.end(), g) == genres.end()) genres.push_back(g);
    }
    for (auto g : genres) {
      movie.genres.emplace_back(kGenres[g].name);
      catalog.by_genre[g].push_back(static_cast<std::uint32_t>(m));
    }
    movie.description = SyntheticDescription(rng) + " Directed by " + SyntheticDirector(circle_of(m)) + ".";
    catalog.duration_s[m] = *movie.duration_s;
    sink.OnMovie(std::move(movie));
  }
  // Popularity: a random permutation of ranks (Fisher-Yates with our own Below).
  std::vector<std::uint32_t> rank(n);
  std::iota(rank.begin(), rank.end(), 0u);
  Rng shuffle = StreamRng(o.seed, kRanks, 0);
  for (std::size_t i = n; i > 1; --i)
    std::swap(rank[i - 1], rank[shuffle.Below(i)]);
  catalog.global = ZipfTable(rank, kPopularityExponent);
  for (auto& list : catalog.by_genre) {
    std::vector<std::uint32_t> ranks;
    for (auto m : list)
      ranks.push_back(rank[m]);
    catalog.genre_tables.emplace_back(ranks, kPopularityExponent);
  }
  catalog.circles.resize(circles);
  for (std::size_t m = 0; m < n; ++m)
    catalog.circles[circle_of(m)].push_back(static_cast<std::uint32_t>(m));
  for (auto& list : catalog.circles) {
    std::vector<std::uint32_t> ranks;
    for (auto m : list)
      ranks.push_back(rank[m]);
    catalog.circle_tables.emplace_back(ranks, kPopularityExponent);
  }
  return catalog;
}

// Interactions per user: log-normal weights scaled to exactly `total`.
std::vector<std::uint32_t> Activity(const GeneratorOptions& o) {
  Rng rng = StreamRng(o.seed, kActivity, 0);
  std::vector<double> weight(static_cast<std::size_t>(o.users));
  double sum = 0;
  for (auto& w : weight)
    sum += w = std::exp(kActivitySigma * rng.Normal());
  std::vector<std::uint32_t> count(weight.size());
  std::int64_t assigned = 0;
  for (std::size_t u = 0; u < weight.size(); ++u) {
    count[u] = static_cast<std::uint32_t>(static_cast<double>(o.interactions) * weight[u] / sum);
    assigned += count[u];
  }
  for (std::size_t u = 0; assigned < o.interactions; u = (u + 1) % count.size(), ++assigned)
    ++count[u];
  return count;
}

void MakeUser(const GeneratorOptions& o, const Catalog& catalog, std::int64_t id, std::uint32_t count,
              GeneratorSink& sink) {
  Rng rng = StreamRng(o.seed, kUsers, static_cast<std::uint64_t>(id));
  sink.OnUser(id);
  std::vector<double> taste(kGenres.size());
  double taste_sum = 0;
  for (std::size_t g = 0; g < taste.size(); ++g)
    taste_sum += taste[g] = rng.Gamma(kTasteConcentration * kGenres[g].weight / 100.0);
  if (taste_sum <= 0) taste_sum = taste[0] = 1;
  for (auto& t : taste)
    t /= taste_sum;
  const std::int64_t window_start = o.end_time - static_cast<std::int64_t>(o.days) * 86400;
  const std::int64_t first =
      window_start + static_cast<std::int64_t>(rng.Below(static_cast<std::uint64_t>(o.days) * 86400));
  const double mean_gap = count ? static_cast<double>(o.end_time - first) / count : 0;
  const auto device = kDevices[rng.Below(kDevices.size())];
  std::array<std::size_t, kCirclesPerUser> circles{};
  for (auto& c : circles)
    c = rng.Below(catalog.circles.size());
  std::int64_t clock = first;
  for (std::uint32_t j = 0; j < count; ++j) {
    std::size_t m;
    std::size_t g = rng.Categorical(taste, 1.0);
    const bool by_circle = rng.Chance(kByCircle);
    if (by_circle) {
      const std::size_t c = circles[rng.Below(circles.size())];
      m = catalog.circles[c][catalog.circle_tables[c].Sample(rng)];
    } else if (rng.Chance(kByTaste) && !catalog.genre_tables[g].empty())
      m = catalog.by_genre[g][catalog.genre_tables[g].Sample(rng)];
    else
      m = catalog.global.Sample(rng);
    double match = 0;
    for (auto mg : catalog.genres[m])
      match += taste[mg];
    match = std::min(1.0, match * 3);
    if (by_circle) match = std::max(match, 0.8);  // a circle is a taste too
    Interaction i;
    i.user = id;
    i.movie = static_cast<std::int64_t>(m) + 1;
    const int duration = catalog.duration_s[m];
    i.completed = rng.Chance(0.45 + 0.45 * match);
    i.watched_s = i.completed ? duration : static_cast<int>(duration * (0.05 + 0.8 * rng.Uniform()));
    double like = i.completed ? 0.1 + 0.5 * match : 0.02;
    double dislike = i.completed ? 0.15 * (1 - match) : 0.2 * (1 - match);
    double r = rng.Uniform();
    i.reaction = r < like ? 1 : r < like + dislike ? -1 : 0;
    // Sessions: a binge continues right after the previous view; otherwise an exponential gap.
    if (j > 0) {
      if (rng.Chance(kBinge))
        clock += static_cast<std::int64_t>(rng.Below(600));
      else
        clock += static_cast<std::int64_t>(-std::log(1.0 - rng.Uniform()) * mean_gap);
    }
    clock = std::min(clock + i.watched_s, o.end_time);
    i.stop_time = clock;
    i.device = device;
    i.session_key = "gen:" + std::to_string(o.seed) + ":" + std::to_string(id) + ":" + std::to_string(j);
    sink.OnInteraction(i);
  }
}

}  // namespace

void Generate(const GeneratorOptions& options, GeneratorSink& sink) {
  if (options.users < 1 || options.movies < 1 || options.interactions < 0 || options.days < 1)
    throw std::invalid_argument("generate: users, movies and days must be >= 1 and interactions >= 0");
  if (options.end_time <= static_cast<std::int64_t>(options.days) * 86400)
    throw std::invalid_argument("generate: end_time must be later than `days` days after 1970");
  Catalog catalog = MakeMovies(options, sink);
  auto activity = Activity(options);
  for (std::size_t u = 0; u < activity.size(); ++u)
    MakeUser(options, catalog, static_cast<std::int64_t>(u) + 1, activity[u], sink);
}

}  // namespace cinerec::ingest
