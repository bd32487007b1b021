#pragma once
// Where spooled events go: one sink per store, each fed by its own spool consumer (spool_consumer.h).
#include <memory>
#include <span>
#include <string_view>

#include "collect/event.h"

namespace cinerec::collect {

// A batch a sink has made ready for its store (EventSink::Prepare): e.g. rows already enriched and formatted.
class PreparedBatch {
 public:
  virtual ~PreparedBatch() = default;
};

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

  // Two-stage delivery, for a sink whose work splits into preparing a batch (CPU, lookups) and sending it
  // (a store round trip): the consumer prepares the next batch on one thread while the previous one is
  // being sent on another, so that neither waits for the other. Prepare and Send throw as Deliver does
  // (StoreError: retried with the same input). Prepare returning null (the default) means "not split":
  // the consumer then calls Deliver on its sending thread.
  virtual std::unique_ptr<PreparedBatch> Prepare(std::span<const Event> /*events*/) { return nullptr; }
  virtual void Send(PreparedBatch& /*batch*/) {}
};

}  // namespace cinerec::collect
