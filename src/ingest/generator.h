#pragma once
// The synthetic data generator: users, movies and watch histories with the structure of real ones.
//
//  - movies: 1-3 genres each (skewed towards Drama and Comedy), years skewed to recent, durations 80-180
//    min, titles and descriptions from word lists; popularity is a Zipf law over a random permutation;
//  - users: a taste over the genres drawn from a Dirichlet (most users like a few genres), activity
//    log-normal (a few heavy users, many light ones);
//  - interactions: sessions over the last `days` days (binges of consecutive views, gaps between), movies
//    drawn by taste genre then popularity (or by popularity alone), completion and likes more likely, and
//    dislikes less likely, when the movie matches the taste; partial views stop part-way.
//
// Deterministic: the same options give the same records, in the same order, on every platform (random.h).
// Streams: movies first (they are few), then each user followed by that user's interactions; only the
// movie tables and one counter per user are held in memory.
#include <cstdint>

#include "ingest/records.h"

namespace cinerec::ingest {

struct GeneratorOptions {
  std::int64_t users = 2000;
  std::int64_t movies = 1000;
  std::int64_t interactions = 50000;
  std::uint64_t seed = 42;
  int days = 365;
  std::int64_t end_time = 0;  // unix seconds of the newest interaction; REQUIRES > days * 86400
};

class GeneratorSink {
 public:
  virtual ~GeneratorSink() = default;
  virtual void OnMovie(MovieRecord&& movie) = 0;
  virtual void OnUser(std::int64_t id) = 0;
  virtual void OnInteraction(const Interaction& interaction) = 0;
};

// Ids are 1..movies and 1..users. Exactly options.interactions interactions are produced.
// Throws std::invalid_argument for sizes < 1 (interactions may be 0).
void Generate(const GeneratorOptions& options, GeneratorSink& sink);

}  // namespace cinerec::ingest
