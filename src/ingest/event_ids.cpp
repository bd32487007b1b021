#include "ingest/event_ids.h"

#include <openssl/sha.h>

#include <cstdio>

namespace cinerec::ingest {

std::string DeterministicUuid(std::string_view name) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) {
    hi = hi << 8 | digest[i];
    lo = lo << 8 | digest[8 + i];
  }
  std::string out;
  out.reserve(36);
  AppendUuid(out, hi, lo);
  return out;
}

void AppendUuid(std::string& out, std::uint64_t hi, std::uint64_t lo) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto hex = [&](std::uint64_t value, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
      out += kHex[(value >> shift) & 0xF];
  };
  hex(hi >> 32, 8);
  out += '-';
  hex((hi >> 16) & 0xFFFF, 4);
  out += '-';
  hex(hi & 0xFFFF, 4);
  out += '-';
  hex(lo >> 48, 4);
  out += '-';
  hex(lo & 0xFFFFFFFFFFFFULL, 12);
}

namespace {

// Civil date and time of unix seconds in UTC, by arithmetic (H. Hinnant's days-to-civil): gmtime_r takes
// glibc's time zone lock, which the writer threads would contend for several times per interaction.
struct UtcFields {
  int year, month, day, hour, minute, second;
};

UtcFields ToUtcFields(std::int64_t unix_seconds) {
  std::int64_t days = unix_seconds / 86400;
  std::int64_t rest = unix_seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  days += 719468;  // days from 0000-03-01 to 1970-01-01
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;                                    // [0, 146096]
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const std::int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], March first
  UtcFields f{};
  f.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  f.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  f.year = static_cast<int>(yoe + era * 400 + (f.month <= 2 ? 1 : 0));
  f.hour = static_cast<int>(rest / 3600);
  f.minute = static_cast<int>(rest / 60 % 60);
  f.second = static_cast<int>(rest % 60);
  return f;
}

}  // namespace

void AppendUtc(std::string& out, std::int64_t unix_seconds) {
  const UtcFields f = ToUtcFields(unix_seconds);
  char buffer[19];
  // Hand-rolled rather than snprintf: this runs several times per imported rating.
  auto put = [&](int at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      buffer[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, f.year, 4);
  buffer[4] = '-';
  put(5, f.month, 2);
  buffer[7] = '-';
  put(8, f.day, 2);
  buffer[10] = ' ';
  put(11, f.hour, 2);
  buffer[13] = ':';
  put(14, f.minute, 2);
  buffer[16] = ':';
  put(17, f.second, 2);
  out.append(buffer, sizeof buffer);
}

int UtcMonth(std::int64_t unix_seconds) {
  const UtcFields f = ToUtcFields(unix_seconds);
  return f.year * 100 + f.month;
}

std::string FormatUtc(std::int64_t unix_seconds) {
  std::string out;
  AppendUtc(out, unix_seconds);
  return out;
}

std::string FormatUtcTz(std::int64_t unix_seconds) {
  return FormatUtc(unix_seconds) + "+00";
}

}  // namespace cinerec::ingest
