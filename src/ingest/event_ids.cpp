#include "ingest/event_ids.h"

#include <openssl/sha.h>

#include <cstdio>
#include <ctime>

namespace cinerec::ingest {

std::string DeterministicUuid(std::string_view name) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

std::string FormatUtc(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[20];
  // Hand-rolled rather than snprintf: this runs four times per imported rating.
  auto put = [&](int at, int value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      buffer[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, tm.tm_year + 1900, 4);
  buffer[4] = '-';
  put(5, tm.tm_mon + 1, 2);
  buffer[7] = '-';
  put(8, tm.tm_mday, 2);
  buffer[10] = ' ';
  put(11, tm.tm_hour, 2);
  buffer[13] = ':';
  put(14, tm.tm_min, 2);
  buffer[16] = ':';
  put(17, tm.tm_sec, 2);
  return std::string(buffer, 19);
}

std::string FormatUtcTz(std::int64_t unix_seconds) {
  return FormatUtc(unix_seconds) + "+00";
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace cinerec::ingest
