#pragma once
// The rows `cinerec train` would read, counted the same way (training/pg_interaction_reader.h): views and
// non-cleared reactions of movies not deleted, at or after `since`. For the scheduler's "enough new data"
// check (training/retrain_policy.h).
#include <optional>
#include <string>

#include "training/retrain_policy.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::training {

// Throws StoreError when PostgreSQL is unreachable, PgQueryError for a bad literal.
DataCounts CountTrainingRows(PgPool& pg, const std::optional<std::string>& since);

}  // namespace cinerec::training
