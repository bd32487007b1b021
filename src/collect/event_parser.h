#pragma once
// POST /v1/events bodies -> validated Events. Pure code: no I/O, no logging, no clock (the caller passes
// "now"), so that it is cheap to unit-test and to fuzz (fuzz/event_parser_fuzz.cpp).
//
// A batch is {"events": [ {...}, ... ]}. Problems with the batch itself (not JSON, not that shape, too many
// events) throw ApiError (400 / 413 / 422) and nothing is accepted. Problems with one event reject only that
// event: the others still go through, and the rejection says which field is wrong and why.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collect/event.h"

namespace cinerec::collect {

struct ParseLimits {
  std::size_t max_events = 1000;                // events per batch (more: 413, nothing accepted)
  std::chrono::seconds max_future_skew{300};    // timestamps later than now + this are rejected
  std::chrono::seconds max_age{7 * 24 * 3600};  // timestamps older than now - this are rejected
  std::uint32_t max_seconds = 7 * 24 * 3600;    // bound of position / watched / seek values
  std::size_t max_query_chars = 512;            // search text (bytes of UTF-8)
};

struct Caller {
  std::int64_t user_id = 0;  // 0 for machine callers (admin API keys)
  bool is_admin = false;     // admins may send events for any user; viewers only for themselves
};

struct Rejection {
  std::size_t index = 0;  // position in the batch
  std::string event_id;   // as sent, when it was a string (may be empty)
  std::string code;       // invalid_field, missing_field, unknown_type, forbidden, unknown_movie, ...
  std::string field;      // the offending field, empty when it is about the whole event
  std::string message;
};

struct ParsedBatch {
  std::vector<Event> events;         // accepted so far, in batch order
  std::vector<std::size_t> indices;  // indices[i] = position in the batch of events[i]
  std::vector<Rejection> rejections;
  std::size_t total = 0;  // events in the batch
};

// REQUIRES: now_ms is the server's current time, Unix milliseconds.
ParsedBatch ParseEventBatch(std::string_view body, const Caller& caller, const ParseLimits& limits,
                            std::int64_t now_ms);

// RFC 3339 date-time ("2026-11-24T10:15:30Z", "...30.125+01:00") -> Unix milliseconds UTC. Strict: a time
// zone is required, fractions beyond milliseconds are truncated. Hand-written because GCC 12's libstdc++ has
// no std::chrono::parse and Boost.DateTime takes neither offsets nor a strict mode.
bool ParseRfc3339(std::string_view text, std::int64_t& unix_ms);
// Unix milliseconds -> "2026-11-24T10:15:30.125Z".
std::string FormatRfc3339(std::int64_t unix_ms);

// "8-4-4-4-12" hexadecimal -> lower case; false for anything else.
bool NormaliseUuid(std::string_view text, std::string& out);

}  // namespace cinerec::collect
