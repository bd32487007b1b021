#pragma once
// The k best-scored indices, best first, with one deterministic order: higher score first, the lower index
// on ties; NaN scores rank last. Every ranking in ml/ (recommendations, neighbours, evaluation) goes
// through it, so that equal scores never make results depend on the platform.
#include <cstdint>
#include <span>
#include <vector>

namespace cinerec::ml {

// `excluded` (optional) is sorted ascending; those indices are never returned. Returns min(k, eligible)
// indices.
std::vector<std::int32_t> TopK(std::span<const float> scores, int k,
                               std::span<const std::int32_t> excluded = {});

// The order TopK uses: true when (score_a, a) ranks before (score_b, b).
bool RanksBefore(float score_a, std::int32_t a, float score_b, std::int32_t b);

}  // namespace cinerec::ml
