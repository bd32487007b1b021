#include "ml/quantized_factors.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cinerec::ml {
namespace {

constexpr int kLanes = 16;  // codes per step of the vector kernel (two 8-float halves)

struct Job {
  const std::int8_t* codes;
  const float* scales;
  std::int32_t items;
  int padded, blocks;
  const std::int16_t* qa;  // the query in int16, padded with zeros; nullptr = skip
  float qa_scale;          // query value = code * scale
  float* out_a;
  const std::int16_t* qb;
  float qb_scale;
  float* out_b;
};

// Both kernels compute the same exact integer sums (no rounding until the final float conversion), so the
// scores do not depend on which one the CPU runs.
void ScorePortable(const Job& job) {
  const auto stride = static_cast<std::size_t>(job.blocks) * static_cast<std::size_t>(job.padded);
  for (std::int32_t i = 0; i < job.items; ++i) {
    const std::int8_t* row = job.codes + static_cast<std::size_t>(i) * stride;
    const float* scale = job.scales + static_cast<std::size_t>(i) * static_cast<std::size_t>(job.blocks);
    const auto dot = [&](const std::int8_t* codes, const std::int16_t* q) {
      std::int32_t sum = 0;
      for (int f = 0; f < job.padded; ++f)
        sum += static_cast<std::int32_t>(codes[f]) * static_cast<std::int32_t>(q[f]);
      return static_cast<float>(sum);
    };
    if (job.qa != nullptr) job.out_a[i] = dot(row, job.qa) * (scale[0] * job.qa_scale);
    if (job.qb != nullptr) job.out_b[i] = dot(row + job.padded, job.qb) * (scale[1] * job.qb_scale);
  }
}

// 16 codes of a row (sign-extended to int16) against 16 int16 query values: pairwise products summed into
// 8 int32 lanes (vpmaddwd), exact.
__attribute__((target("avx2"))) inline __m256i Step(const std::int8_t* codes, const std::int16_t* q,
                                                    __m256i acc) {
  const __m256i wide = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(codes)));
  const __m256i query = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q));
  return _mm256_add_epi32(acc, _mm256_madd_epi16(wide, query));
}

// kPadded > 0 fixes the row width at compile time (fully unrolled inner loop); 0 reads it from the job.
template <bool kA, bool kB, int kPadded>
__attribute__((target("avx2"))) void ScoreAvx2(const Job& job) {
  const int padded = kPadded > 0 ? kPadded : job.padded;
  const auto stride = static_cast<std::size_t>(job.blocks) * static_cast<std::size_t>(padded);
  for (std::int32_t i = 0; i < job.items; ++i) {
    const std::int8_t* row = job.codes + static_cast<std::size_t>(i) * stride;
    const float* scale = job.scales + static_cast<std::size_t>(i) * static_cast<std::size_t>(job.blocks);
    __m256i a = _mm256_setzero_si256(), b = _mm256_setzero_si256();
    for (int c = 0; c < padded; c += kLanes) {
      if constexpr (kA) a = Step(row + c, job.qa + c, a);
      if constexpr (kB) b = Step(row + padded + c, job.qb + c, b);
    }
    // Horizontal sums of both rows at once: [a a b b | a a b b] -> [a b a b].
    const __m256i pairs = _mm256_hadd_epi32(a, b);
    __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(pairs), _mm256_extracti128_si256(pairs, 1));
    sums = _mm_hadd_epi32(sums, sums);
    if constexpr (kA) job.out_a[i] = static_cast<float>(_mm_cvtsi128_si32(sums)) * (scale[0] * job.qa_scale);
    if constexpr (kB)
      job.out_b[i] = static_cast<float>(_mm_extract_epi32(sums, 1)) * (scale[1] * job.qb_scale);
  }
}

// The query in int16 with one scale. Its largest value is chosen so that no int32 sum can overflow
// (|code| <= 127 over `padded` factors) and is 32767 up to 528 factors: rounding of 1 / 65534 of the
// largest value, far below the codes' own.
float QuantizeQuery(const float* q, int k, int padded, std::int16_t* out) {
  float max_abs = 0;
  for (int f = 0; f < k; ++f)
    max_abs = std::max(max_abs, std::abs(q[f]));
  std::fill(out, out + padded, std::int16_t{0});
  if (max_abs == 0) return 0;
  const long limit = std::min(32767L, 2147483647L / (127L * padded));
  const float scale = max_abs / static_cast<float>(limit);
  for (int f = 0; f < k; ++f)
    out[f] = static_cast<std::int16_t>(std::clamp(std::lrint(q[f] / scale), -limit, limit));
  return scale;
}

template <int kPadded>
void Dispatch(const Job& job) {
  if (job.qa != nullptr && job.qb != nullptr) {
    ScoreAvx2<true, true, kPadded>(job);
  } else if (job.qa != nullptr) {
    ScoreAvx2<true, false, kPadded>(job);
  } else {
    ScoreAvx2<false, true, kPadded>(job);
  }
}

bool CpuHasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

}  // namespace

QuantizedFactors::QuantizedFactors(std::span<const float> a, std::span<const float> b, std::int32_t items,
                                   int k)
    : items_(items), k_(k), padded_((k + kLanes - 1) / kLanes * kLanes), blocks_(b.empty() ? 1 : 2) {
  const auto cells = static_cast<std::size_t>(std::max(items, 0)) * static_cast<std::size_t>(std::max(k, 0));
  if (items < 0 || k <= 0 || a.size() != cells || (!b.empty() && b.size() != cells))
    throw std::invalid_argument("QuantizedFactors: matrices are not items x factors");
  const auto stride = static_cast<std::size_t>(blocks_) * static_cast<std::size_t>(padded_);
  codes_.assign(static_cast<std::size_t>(items) * stride, 0);
  scales_.assign(static_cast<std::size_t>(items) * static_cast<std::size_t>(blocks_), 0.0f);
  const auto uk = static_cast<std::size_t>(k);
  for (std::int32_t i = 0; i < items; ++i)
    for (int block = 0; block < blocks_; ++block) {
      const float* values = (block == 0 ? a : b).data() + static_cast<std::size_t>(i) * uk;
      float max_abs = 0;
      for (std::size_t f = 0; f < uk; ++f)
        max_abs = std::max(max_abs, std::abs(values[f]));
      if (max_abs == 0) continue;  // an all-zero row: codes and scale stay 0
      const float scale = max_abs / 127.0f;
      std::int8_t* codes = codes_.data() + static_cast<std::size_t>(i) * stride
                           + static_cast<std::size_t>(block) * static_cast<std::size_t>(padded_);
      for (std::size_t f = 0; f < uk; ++f)
        codes[f] = static_cast<std::int8_t>(std::clamp(std::lrint(values[f] / scale), -127L, 127L));
      scales_[static_cast<std::size_t>(i) * static_cast<std::size_t>(blocks_)
              + static_cast<std::size_t>(block)] = scale;
    }
}

bool QuantizedFactors::Vectorized() {
  static const bool vectorized = CpuHasAvx2();
  return vectorized;
}

void QuantizedFactors::Score(const float* qa, float* out_a, const float* qb, float* out_b,
                             Kernel kernel) const {
  if ((qa == nullptr) != (out_a == nullptr) || (qb == nullptr) != (out_b == nullptr)
      || (qb != nullptr && blocks_ < 2))
    throw std::invalid_argument("QuantizedFactors::Score: query and output must come in pairs");
  if (items_ == 0 || (qa == nullptr && qb == nullptr)) return;
  std::vector<std::int16_t> queries(2 * static_cast<std::size_t>(padded_));
  std::int16_t* const padded_a = queries.data();
  std::int16_t* const padded_b = queries.data() + padded_;
  const float qa_scale = qa != nullptr ? QuantizeQuery(qa, k_, padded_, padded_a) : 0.0f;
  const float qb_scale = qb != nullptr ? QuantizeQuery(qb, k_, padded_, padded_b) : 0.0f;
  const Job job{codes_.data(), scales_.data(), items_,
                padded_,       blocks_,        qa != nullptr ? padded_a : nullptr,
                qa_scale,      out_a,          qb != nullptr ? padded_b : nullptr,
                qb_scale,      out_b};
  if (kernel == Kernel::kPortable || !Vectorized()) {
    ScorePortable(job);
  } else if (padded_ == 64) {  // the usual 64 factors
    Dispatch<64>(job);
  } else {
    Dispatch<0>(job);
  }
}

std::vector<float> QuantizedFactors::Row(int block, std::int32_t item) const {
  if (block < 0 || block >= blocks_ || item < 0 || item >= items_)
    throw std::out_of_range("QuantizedFactors::Row: no such row");
  const std::size_t at =
      static_cast<std::size_t>(item) * static_cast<std::size_t>(blocks_) + static_cast<std::size_t>(block);
  const std::int8_t* codes = codes_.data() + at * static_cast<std::size_t>(padded_);
  std::vector<float> row(static_cast<std::size_t>(k_));
  for (std::size_t f = 0; f < row.size(); ++f)
    row[f] = static_cast<float>(codes[f]) * scales_[at];
  return row;
}

std::size_t QuantizedFactors::MemoryBytes() const {
  return codes_.size() * sizeof(std::int8_t) + scales_.size() * sizeof(float);
}

}  // namespace cinerec::ml
