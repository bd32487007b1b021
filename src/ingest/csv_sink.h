#pragma once
// Writes generated data as a MovieLens ml-latest folder (movies.csv, ratings.csv), so that it can be
// re-imported with `cinerec import` or used by other tools. Ratings stand for reactions: like 5.0,
// dislike 1.0, no reaction 3.0 (partial views are not representable in the format).
#include <fstream>
#include <string>

#include "ingest/generator.h"

namespace cinerec::ingest {

class CsvSink final : public GeneratorSink {
 public:
  // Creates `dir` if needed; throws std::runtime_error when a file cannot be opened.
  explicit CsvSink(const std::string& dir);
  void OnMovie(MovieRecord&& movie) override;
  void OnUser(std::int64_t) override {}
  void OnInteraction(const Interaction& interaction) override;

 private:
  std::ofstream movies_, ratings_;
};

// A CSV field, quoted (with doubled quotes) when it holds a comma, quote or line break.
std::string CsvField(const std::string& text);

}  // namespace cinerec::ingest
