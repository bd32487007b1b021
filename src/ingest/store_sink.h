#pragma once
// Feeds the generator's records to a StoreWriter: movies are collected and written in one batch before the
// first user (the generator emits all movies first), users and interactions stream through.
#include <vector>

#include "ingest/generator.h"
#include "ingest/progress.h"
#include "ingest/store_writer.h"

namespace cinerec::ingest {

class StoreSink final : public GeneratorSink {
 public:
  StoreSink(StoreWriter& writer, Progress& progress, std::uint64_t total_interactions)
      : writer_(writer), progress_(progress), total_(total_interactions) {}
  void OnMovie(MovieRecord&& movie) override { movies_.push_back(std::move(movie)); }
  void OnUser(std::int64_t id) override {
    if (!movies_.empty()) {
      writer_.WriteMovies(movies_);
      movies_ = {};
    }
    writer_.AddUser(id);
  }
  void OnInteraction(const Interaction& interaction) override {
    writer_.AddInteraction(interaction);
    if ((++done_ & 4095) == 0) progress_.Update(done_, done_);
  }
  std::uint64_t interactions() const { return done_; }
  std::uint64_t total() const { return total_; }

 private:
  StoreWriter& writer_;
  Progress& progress_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  std::vector<MovieRecord> movies_;
};

}  // namespace cinerec::ingest
