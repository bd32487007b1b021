#pragma once
// Synthetic titles and descriptions for the generator, from fixed word lists (deterministic given the Rng).
#include <string>

#include "ingest/random.h"

namespace cinerec::ingest {

std::string SyntheticTitle(Rng& rng);
// 12-30 words, a sentence or two.
std::string SyntheticDescription(Rng& rng);

}  // namespace cinerec::ingest
