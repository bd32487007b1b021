#include "ml/parallel.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace cinerec::ml {
namespace {

TEST(ParallelForTest, VisitsEveryIndexOnceInFixedChunks) {
  for (int threads : {1, 2, 5}) {
    std::vector<int> visits(103, 0);
    std::vector<std::int64_t> chunk_begin(ChunkCount(103, 10), -1);
    ParallelFor(103, 10, threads, [&](std::int64_t chunk, std::int64_t begin, std::int64_t end) {
      chunk_begin[static_cast<std::size_t>(chunk)] = begin;
      for (std::int64_t i = begin; i < end; ++i)
        ++visits[static_cast<std::size_t>(i)];
    });
    EXPECT_EQ(visits, std::vector<int>(103, 1));
    for (std::size_t c = 0; c < chunk_begin.size(); ++c)
      EXPECT_EQ(chunk_begin[c], static_cast<std::int64_t>(c) * 10);
  }
  ParallelFor(0, 10, 2, [](std::int64_t, std::int64_t, std::int64_t) { FAIL(); });
}

TEST(ParallelForTest, RethrowsTheFirstError) {
  EXPECT_THROW(ParallelFor(100, 1, 2,
                           [](std::int64_t, std::int64_t begin, std::int64_t) {
                             if (begin == 50) throw std::runtime_error("boom");
                           }),
               std::runtime_error);
  EXPECT_GE(ResolveThreads(0), 1);
  EXPECT_EQ(ResolveThreads(3), 3);
}

}  // namespace
}  // namespace cinerec::ml
