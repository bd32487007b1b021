// libFuzzer target: the small text formats the event parser relies on (src/collect/event_parser.h,
// src/common/utf8.h). The same input is read as
//  - an RFC 3339 timestamp: when ParseRfc3339 accepts it, FormatRfc3339 of the result parses back to the
//    same milliseconds, and the seconds / milliseconds of the text survive (offsets are whole minutes);
//  - a Unix-milliseconds value (its first 8 bytes): FormatRfc3339 of any instant from 1970 to 9999 parses
//    back to itself;
//  - an event_id: NormaliseUuid accepts exactly the 8-4-4-4-12 hexadecimal form and lower-cases it;
//  - text: IsValidUtf8 agrees with an independent reading of Unicode table 3-7 (fuzz/reference.h).
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "collect/event_parser.h"
#include "common/utf8.h"
#include "fuzz_check.h"
#include "reference.h"

namespace {

using namespace cinerec::collect;

constexpr std::int64_t kMaxMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

int FloorMod(std::int64_t value, int modulus) {
  const auto r = static_cast<int>(value % modulus);
  return r < 0 ? r + modulus : r;
}

void CheckFormatted(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  FUZZ_CHECK(text.size() == 24 && text[4] == '-' && text[10] == 'T' && text[19] == '.' && text[23] == 'Z',
             "FormatRfc3339 writes YYYY-MM-DDTHH:MM:SS.mmmZ");
}

void CheckTimestamp(std::string_view text) {
  std::int64_t ms = 0;
  if (!ParseRfc3339(text, ms)) return;
  const auto formatted = FormatRfc3339(ms);
  CheckFormatted(formatted);
  std::int64_t again = 0;
  FUZZ_CHECK(ParseRfc3339(formatted, again), "FormatRfc3339 of a parsed timestamp parses");
  FUZZ_CHECK(again == ms, "ParseRfc3339 -> FormatRfc3339 -> ParseRfc3339 keeps the milliseconds");

  // The seconds and the fraction's first three digits are not touched by the offset.
  const int second = (text[17] - '0') * 10 + (text[18] - '0');
  int millis = 0;
  bool digits = text[19] == '.';
  for (std::size_t i = 20; i < 23; ++i) {
    digits = digits && i < text.size() && text[i] >= '0' && text[i] <= '9';
    millis = millis * 10 + (digits ? text[i] - '0' : 0);
  }
  if (second == 60) {  // leap second: counted as :59.999
    FUZZ_CHECK(FloorMod(ms, 60'000) == 59'999, "a leap second reads as :59.999");
  } else {
    FUZZ_CHECK(FloorMod(ms / 1000 - (ms % 1000 < 0), 60) == second, "seconds kept");
    FUZZ_CHECK(FloorMod(ms, 1000) == millis, "milliseconds are the first three fraction digits");
  }
}

void CheckInstant(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return;
  std::uint64_t raw = 0;
  std::memcpy(&raw, data, 8);
  const auto ms = static_cast<std::int64_t>(raw % static_cast<std::uint64_t>(kMaxMs + 1));
  const auto text = FormatRfc3339(ms);
  CheckFormatted(text);
  std::int64_t again = 0;
  FUZZ_CHECK(ParseRfc3339(text, again) && again == ms,
             "FormatRfc3339 -> ParseRfc3339 keeps the milliseconds");
}

void CheckUuid(std::string_view text) {
  std::string out;
  const bool ok = NormaliseUuid(text, out);
  FUZZ_CHECK(ok == cinerec::fuzz::UuidText(text, false), "NormaliseUuid accepts exactly 8-4-4-4-12 hex");
  if (!ok) return;
  FUZZ_CHECK(cinerec::fuzz::UuidText(out, true), "NormaliseUuid writes lower case");
  for (std::size_t i = 0; i < 36; ++i) {
    const char c = text[i];
    FUZZ_CHECK(out[i] == (c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c), "only case changes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckTimestamp(text);
  CheckInstant(data, size);
  CheckUuid(text);
  FUZZ_CHECK(cinerec::IsValidUtf8(text) == cinerec::fuzz::ReferenceUtf8(text),
             "IsValidUtf8 agrees with Unicode table 3-7");
  return 0;
}
