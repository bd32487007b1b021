// libFuzzer target: spool records (src/collect/event_codec.h) as they may come back from a damaged disk.
// DecodeEvents of arbitrary bytes either throws CorruptRecord (nothing else may escape) or yields events that
// EncodeEvents writes back to exactly the same bytes, appended after what `out` already held.
#include <cstdint>
#include <string_view>
#include <vector>

#include "collect/event_codec.h"
#include "fuzz_check.h"
#include "reference.h"

using namespace cinerec::collect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view record(reinterpret_cast<const char*>(data), size);
  Event sentinel;
  sentinel.event_id = "00000000-0000-0000-0000-000000000000";
  sentinel.query = "already in out";
  std::vector<Event> out{sentinel};
  try {
    DecodeEvents(record, out);
  } catch (const CorruptRecord&) {
    return 0;
  }
  FUZZ_CHECK(!out.empty() && out.front() == sentinel, "DecodeEvents appends, keeping what out held");
  const std::vector<Event> decoded(out.begin() + 1, out.end());
  for (const auto& e : decoded) {
    FUZZ_CHECK(cinerec::fuzz::UuidText(e.event_id, true), "decoded event_id is a canonical UUID");
    FUZZ_CHECK(static_cast<int>(e.type) >= 1 && static_cast<int>(e.type) <= kEventTypeCount, "known type");
  }
  FUZZ_CHECK(EncodeEvents(decoded) == record, "a decoded record re-encodes to the same bytes");
  return 0;
}
