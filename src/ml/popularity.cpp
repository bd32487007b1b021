#include "ml/popularity.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cinerec::ml {

std::vector<float> PopularityScores(const InteractionMatrix& matrix, const PopularityOptions& options) {
  if (!(options.half_life_days >= 0.0)) throw std::invalid_argument("popularity half_life_days must be >= 0");
  const CsrMatrix& m = matrix.by_item();
  std::int64_t now = options.now_ms;
  if (now == 0 && !m.time_ms.empty()) now = *std::max_element(m.time_ms.begin(), m.time_ms.end());
  constexpr double kMsPerDay = 86400.0 * 1000.0;
  std::vector<float> scores(static_cast<std::size_t>(m.rows), 0.0f);
  for (std::int32_t i = 0; i < m.rows; ++i) {
    double sum = 0;
    for (std::int64_t k = m.RowBegin(i); k < m.RowEnd(i); ++k) {
      const auto kk = static_cast<std::size_t>(k);
      if (m.preference[kk] < options.min_preference) continue;
      if (options.half_life_days == 0.0) {
        sum += 1.0;
        continue;
      }
      const double age_days = static_cast<double>(std::max<std::int64_t>(0, now - m.time_ms[kk])) / kMsPerDay;
      sum += std::exp2(-age_days / options.half_life_days);
    }
    scores[static_cast<std::size_t>(i)] = static_cast<float>(sum);
  }
  return scores;
}

void PopularityRecommender::Score(std::int32_t, std::span<const Interaction>, std::span<float> scores) const {
  std::copy(scores_.begin(), scores_.end(), scores.begin());
}

}  // namespace cinerec::ml
