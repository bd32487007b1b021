#pragma once
// The MovieLens import: reads a source and hands its records to a StoreWriter, with the rating mapping of
// docs/import.md (a rating is a completed view at its time; >= like_threshold also a like, <=
// dislike_threshold a dislike).
#include <cstdint>

#include "ingest/movielens_source.h"
#include "ingest/records.h"
#include "ingest/store_writer.h"

namespace cinerec::ingest {

struct RatingMapping {
  double like_threshold = 4;
  double dislike_threshold = 2;
};

// The interaction one rating becomes (pure: unit-tested).
Interaction RatingToInteraction(const std::string& source, const RatingRecord& rating,
                                const RatingMapping& mapping);

struct ImportSummary {
  std::uint64_t movies_read = 0, users_read = 0, ratings_read = 0, skipped_rows = 0;
  double seconds = 0;
};

// Movies first (all in memory: at most tens of thousands), then users, then ratings streamed in chunks.
// REQUIRES: writer.Begin() done. Calls writer.Finish(). Throws IngestError for a malformed row (unless the
// source skips them), TargetNotEmpty, and store errors.
ImportSummary ImportMovieLens(MovieLensSource& source, StoreWriter& writer, const RatingMapping& mapping);

}  // namespace cinerec::ingest
