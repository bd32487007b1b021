#pragma once
// QuantizedFactors: the serving copy of one or two row-major `items x k` float matrices that are scored
// against a query vector on every recommendation cache miss (the ALS item factors and the content model's
// factor-space vectors, ml/hybrid_model.h). Built from the float matrices when a model is loaded; training
// and the bundle format stay float.
//
// Why: a miss scores 60,000 movies x 64 factors twice, and in float that streams 2 x 15 MB from memory per
// request (more than the caches hold), so the miss path was memory-bound. Here every value is an int8 with
// one float scale per row and matrix (value ~= code * scale, scale = max |row| / 127), and the two
// matrices' rows are interleaved, so one pass over 7.7 MB (60k x 2 x 64 bytes) gives both products:
//   out_a[i] = qa . a_i      out_b[i] = qb . b_i
// The query stays float (no rounding on the viewer's side). The rounding of a value is at most
// scale / 2 = max |row| / 254: small against the gaps that decide a top few hundred of a catalogue (the
// unit test checks the ranking against float), and the same for every viewer.
//
// The dot products run on AVX2 + FMA when the CPU has them (checked once at run time; the build targets
// baseline x86-64), else on portable code with the same results up to float rounding order.
//
// Immutable after construction; Score is safe to call from many threads at once.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cinerec::ml {

class QuantizedFactors {
 public:
  QuantizedFactors() = default;
  // `a` and `b` are items x k (b may be empty: one matrix). REQUIRES: k > 0, sizes consistent, finite values.
  QuantizedFactors(std::span<const float> a, std::span<const float> b, std::int32_t items, int k);

  bool empty() const { return items_ == 0; }
  bool has_b() const { return blocks_ == 2; }
  std::int32_t items() const { return items_; }
  int factors() const { return k_; }

  // kPortable forces the portable code (tests check that both give the same scores).
  enum class Kernel { kBest, kPortable };
  // out_a[i] = qa . a_i and out_b[i] = qb . b_i for every row i. Either side may be skipped by passing
  // nullptr for both its query and output (b must be skipped when has_b() is false). REQUIRES: queries of
  // factors() floats, outputs of items() floats.
  void Score(const float* qa, float* out_a, const float* qb, float* out_b,
             Kernel kernel = Kernel::kBest) const;

  // The reconstructed value of a row (code * scale), for tests and diagnostics.
  std::vector<float> Row(int block, std::int32_t item) const;

  std::size_t MemoryBytes() const;
  // True when Score runs the AVX2 + FMA kernel on this CPU.
  static bool Vectorized();

 private:
  std::int32_t items_ = 0;
  int k_ = 0;
  int padded_ = 0;                  // k rounded up to 16 (zero codes): the vector kernel needs no tail loop
  int blocks_ = 0;                  // 1 or 2 matrices, interleaved per row
  std::vector<std::int8_t> codes_;  // items x blocks x padded
  std::vector<float> scales_;       // items x blocks
};

}  // namespace cinerec::ml
