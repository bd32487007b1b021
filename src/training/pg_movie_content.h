#pragma once
// The catalogue's content for the content model: every movie's genres, title + description and year, and
// the genre vocabulary, from PostgreSQL (soft-deleted movies included: they may still be in the matrix of
// an older window, and their content still teaches the mapping).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "ml/hybrid_model.h"

namespace cinerec {
class PgPool;
}

namespace cinerec::training {

struct CatalogContent {
  std::vector<std::string> genres;  // the vocabulary, by genre id
  std::unordered_map<std::int64_t, ml::MovieContent> movies;
};

// Throws StoreError when PostgreSQL is unreachable.
CatalogContent ReadCatalogContent(PgPool& pg);

}  // namespace cinerec::training
