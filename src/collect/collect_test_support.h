#pragma once
// What the collection tests share (unit and integration, beside the code): fixed event ids, a movie
// directory that refreshes only when told, the wall clock in the events' unit.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "catalog/movie_directory.h"

namespace cinerec::collect::testing_support {

// A valid UUID whose last group is n: "00000000-0000-4000-8000-000000000042".
inline std::string TestEventId(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
  return text;
}

// A directory that loads once (RefreshNow) and leaves the rest to the test.
inline catalog::MovieDirectory::Options QuietDirectory() {
  catalog::MovieDirectory::Options options;
  options.refresh_period = std::chrono::hours(1);
  options.min_refresh_gap = std::chrono::hours(1);
  return options;
}

// Unix milliseconds now, as events carry time.
inline std::int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cinerec::collect::testing_support
