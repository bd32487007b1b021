#pragma once
// Reads what viewers did from PostgreSQL (`views` joined with the movie's duration, `reactions`) into an
// InteractionBuilder, through server-side cursors in pages of `page_rows`, so that memory grows with the
// interactions kept (24 bytes each in the builder), never with a whole result set.
//
// Views come ordered by (user, movie, last_event_at) so that the views of one pair arrive together and
// re-watches are counted (training/view_signals.h); then reactions (cleared ones skipped). Movies that are
// soft-deleted are left out. The time window applies to a view's last_event_at and a reaction's event_time.
// Ids are mapped to indices in reading order, so the same data always gives the same matrix.
#include <cstdint>
#include <optional>
#include <string>

#include "ml/interaction_builder.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::training {

struct ReadOptions {
  // Any PostgreSQL timestamptz literal ("2026-01-01", "2026-01-01T12:00:00Z"); nullopt = unbounded.
  std::optional<std::string> since;  // inclusive
  std::optional<std::string> until;  // exclusive
  int page_rows = 50000;
};

struct ReadCounts {
  std::int64_t views = 0;      // rows read
  std::int64_t reactions = 0;  // rows read (cleared ones not counted)
  std::int64_t signals = 0;    // signals added to the builder
  std::int64_t rewatches = 0;  // of which re-watches
  std::int64_t dropped = 0;    // views without a usable share, signals switched off
};

// Throws StoreError when PostgreSQL is unreachable, PgQueryError for a bad window literal.
ReadCounts ReadInteractions(PgPool& pg, const ReadOptions& options, ml::InteractionBuilder& builder);

}  // namespace cinerec::training
