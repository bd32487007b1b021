#pragma once
// Experiments: variants of the recommendation service, each with a share of the viewers, a model (a pinned
// version or "LATEST") and a rule set, assigned by a stable hash of the user id (the same viewer always
// sees the same variant while the configuration stays the same). The variant is recorded with every
// impression so that analytics can compare them.
//
// Configuration (recommend.variants): a list of "name:share:model[:rules]", e.g.
//   "control:90:LATEST:diverse,candidate:10:20260101T000000Z-1a2b3c:plain"
// share: a positive integer weight (shares need not add to 100); model: LATEST or a model version;
// rules: "diverse" (genre cap, the default) or "plain" (pure score order).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec::recommend {

inline constexpr std::string_view kLatest = "LATEST";

struct Variant {
  std::string name;
  std::uint32_t share = 1;
  std::string model = std::string(kLatest);
  bool diversify = true;

  bool operator==(const Variant&) const = default;
};

// Throws ConfigError naming the problem (empty list, bad share, duplicate or malformed name, bad rules).
std::vector<Variant> ParseVariants(std::string_view text);

class Experiments {
 public:
  // REQUIRES: a list ParseVariants accepts.
  explicit Experiments(std::vector<Variant> variants);

  const Variant& Assign(std::int64_t user_id) const;
  const std::vector<Variant>& variants() const { return variants_; }
  // The pinned model versions (not LATEST), each once.
  std::vector<std::string> PinnedVersions() const;

 private:
  std::vector<Variant> variants_;
  std::uint64_t total_ = 0;
};

}  // namespace cinerec::recommend
