#pragma once
// splitmix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fixed by its definition. The
// std:: distributions and std::shuffle differ between standard libraries, so a seed would not mean the
// same factors or split everywhere; these helpers do.
#include <cstdint>
#include <span>
#include <utility>

namespace cinerec::ml {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n) for n > 0 (the modulo bias is below 2^-32 for any n < 2^32).
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }

 private:
  std::uint64_t state_;
};

// Fisher-Yates.
template <typename T>
void Shuffle(std::span<T> values, SplitMix64& rng) {
  for (std::size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[rng.Below(i)]);
}

}  // namespace cinerec::ml
