#pragma once
// Synthetic titles and descriptions for the generator, from fixed word lists (deterministic given the Rng).
#include <cstddef>
#include <string>

#include "ingest/random.h"

namespace cinerec::ingest {

std::string SyntheticTitle(Rng& rng);
// 12-30 words, a sentence or two.
std::string SyntheticDescription(Rng& rng);
// The made-up name of a taste circle's director ("Lena Mirdarka"): distinct for the first 4,096 circles, the
// same for every movie of the circle, so that a movie's description says whose work it is, as real ones do.
std::string SyntheticDirector(std::size_t circle);

}  // namespace cinerec::ingest
