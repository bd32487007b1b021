#pragma once
// CollectService: what POST /v1/events does, without HTTP. Rate-limit, parse and validate the batch, check
// the movies against the in-memory catalogue, then append the accepted events to the spool as ONE record
// and return once it is fsync'd: from then on the events are acknowledged and the spool consumers carry them
// to ClickHouse, PostgreSQL and Redis (docs/events.md, "Delivery guarantee").
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "collect/event_parser.h"
#include "collect/rate_limiter.h"
#include "common/config.h"
#include "common/errors.h"

namespace cinerec {
struct Principal;
namespace catalog {
class MovieDirectory;
}
}  // namespace cinerec

namespace cinerec::collect {

class Wal;
class CollectMetrics;

// A whole batch refused for now (429 rate limited, 503 spool full or failing): retry after retry_after.
class TryLater : public ApiError {
 public:
  TryLater(int status, std::string code, const std::string& message, std::chrono::seconds retry_after)
      : ApiError(status, std::move(code), message), retry_after_(retry_after) {}
  std::chrono::seconds retry_after() const { return retry_after_; }

 private:
  std::chrono::seconds retry_after_;
};

struct Acceptance {
  std::size_t total = 0;
  std::size_t accepted = 0;
  std::vector<Rejection> rejections;  // by batch index; every other event was accepted
};

class CollectService {
 public:
  using NowMs = std::function<std::int64_t()>;  // Unix milliseconds; injectable for tests
  // REQUIRES: wal, movies and metrics (may be null) outlive the service.
  CollectService(const CollectConfig& config, Wal& wal, catalog::MovieDirectory& movies,
                 CollectMetrics* metrics, NowMs now = {});

  // Throws ApiError (400/413/422) for a malformed batch, TryLater (429/503) when the batch cannot be taken
  // now. Otherwise every accepted event is durable when this returns.
  Acceptance Accept(const Principal& caller, std::string_view body);

 private:
  void RejectUnknownMovies(ParsedBatch& batch);

  ParseLimits limits_;
  Wal& wal_;
  catalog::MovieDirectory& movies_;
  CollectMetrics* metrics_;
  NowMs now_;
  RateLimiter viewer_limits_;
  RateLimiter client_limits_;
};

}  // namespace cinerec::collect
