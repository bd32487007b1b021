#pragma once
// One observed (user, movie) signal after the signal mapping (ml/signals.h): the unit every training and
// evaluation step works on. Indices are dense (0..n-1, see ml/id_map.h), never database ids, so that
// matrices and factor tables are plain arrays.
#include <cstdint>

namespace cinerec::ml {

struct Interaction {
  std::int32_t user = 0;
  std::int32_t item = 0;
  // How much the user seems to like the movie, in [0, 1] (1 = positive, 0 = negative evidence).
  float preference = 1.0f;
  // How sure we are of `preference`, >= 0. Implicit ALS turns it into c = 1 + alpha * confidence.
  float confidence = 1.0f;
  // When it happened (ms since the Unix epoch); only splits by time and popularity decay read it.
  std::int64_t time_ms = 0;
};

}  // namespace cinerec::ml
