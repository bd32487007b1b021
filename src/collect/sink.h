#pragma once
// Where spooled events go: one sink per store, each fed by its own spool consumer (spool_consumer.h).
#include <span>
#include <string_view>

#include "collect/event.h"

namespace cinerec::collect {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // The consumer name in the spool ("clickhouse", "postgres", "redis"): fixed for the life of a spool.
  virtual std::string_view name() const = 0;
  // Delivers a batch, in spool order. Must be idempotent: after a failure or a crash the same events (or a
  // batch that overlaps them) are delivered again. Throws StoreError while the store cannot take them (the
  // consumer retries the same batch with back-off, so nothing is skipped); events the store can never take
  // (e.g. for a user erased since) are dropped, logged and counted by the sink, not thrown.
  virtual void Deliver(std::span<const Event> events) = 0;
};

}  // namespace cinerec::collect
