#pragma once
// A store that /readyz can ask "are you there?".
#include <string_view>

namespace cinerec {

class StoreProbe {
 public:
  virtual ~StoreProbe() = default;
  // "postgres", "redis", "clickhouse" or "s3": the name /readyz reports.
  virtual std::string_view StoreName() const = 0;
  // Returns when the store answers a trivial request; throws StoreError otherwise.
  // Thread-safe; bounded by the adapter's own timeouts.
  virtual void Ping() = 0;
};

}  // namespace cinerec
