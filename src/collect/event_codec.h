#pragma once
// The spool's record format for a batch of accepted events: compact binary, so that a replay after a crash
// costs no JSON parsing and the spool holds about half the bytes of the request bodies.
//
// Layout (little-endian): u8 format version (1), u32 event count, then per event: u8 type, 16-byte UUID,
// i64 event_time_ms, i64 received_ms, i64 user_id, i64 movie_id, u32 position_s, seek_from_s, seek_to_s,
// watched_s, results, u16 rank, then the strings session_id, device, target, section, request_id, query, each
// as u16 length + bytes. Hand-written because it is ~100 lines and a schema compiler (protobuf, flatbuffers)
// would add a code generator to the build for one fixed struct.
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "collect/event.h"

namespace cinerec::collect {

class CorruptRecord : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// REQUIRES: every string member is at most 65,535 bytes and event_id is a canonical UUID (the parser's
// output guarantees both).
std::string EncodeEvents(std::span<const Event> events);
// Appends the decoded events to `out`. Throws CorruptRecord if `record` is not a valid encoding.
void DecodeEvents(std::string_view record, std::vector<Event>& out);

}  // namespace cinerec::collect
