#pragma once
// Portable random numbers for the generator. std::mt19937_64 is fully specified by the standard, but the
// std distributions are not (libstdc++ and libc++ give different numbers for the same engine), so the
// distributions here are our own: the same seed gives the same data set on every platform.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace cinerec::ingest {

// A 64-bit mix (splitmix64's finalizer): derives independent seeds from (seed, index).
inline std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t Next() { return engine_(); }
  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), REQUIRES: 0 < n < 2^53 (scaled from 53 random bits; the bias, below
  // n / 2^53, does not matter here).
  std::uint64_t Below(std::uint64_t n) {
    auto value = static_cast<std::uint64_t>(Uniform() * static_cast<double>(n));
    return value < n ? value : n - 1;
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller; the second value is dropped to keep the stream simple).
  double Normal() {
    double u1 = 1.0 - Uniform();  // (0, 1]: log is finite
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  // Gamma(shape, 1), Marsaglia-Tsang; shape < 1 through the boost Gamma(shape + 1) * U^(1/shape).
  double Gamma(double shape) {
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(1.0 - Uniform(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x = Normal(), v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = 1.0 - Uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  // Index drawn with probability proportional to weights[i] (linear scan: for short lists).
  std::size_t Categorical(const std::vector<double>& weights, double total) {
    double x = Uniform() * total;
    for (std::size_t i = 0; i + 1 < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  std::mt19937_64 engine_;
};

// Samples indices 0..n-1 with probability proportional to 1 / (rank + 1)^exponent of their rank: a
// power-law (Zipf) popularity over a list sorted by rank. O(log n) per sample.
class ZipfTable {
 public:
  ZipfTable() = default;
  // ranks[i]: the popularity rank (0 = most popular) of entry i.
  ZipfTable(const std::vector<std::uint32_t>& ranks, double exponent) {
    cdf_.reserve(ranks.size());
    double sum = 0;
    for (auto r : ranks) {
      sum += 1.0 / std::pow(static_cast<double>(r) + 1.0, exponent);
      cdf_.push_back(sum);
    }
  }
  bool empty() const { return cdf_.empty(); }
  std::size_t Sample(Rng& rng) const {
    double x = rng.Uniform() * cdf_.back();
    std::size_t lo = 0, hi = cdf_.size() - 1;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (cdf_[mid] > x)
        hi = mid;
      else
        lo = mid + 1;
    }
    return lo;
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace cinerec::ingest
