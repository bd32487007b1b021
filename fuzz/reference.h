#pragma once
// Small, independent restatements of the rules the code under test implements, written straight from the
// specifications (Unicode 15 table 3-7, RFC 4122 text form) rather than from src/, so that the fuzz targets
// compare two implementations instead of checking the code against itself.
#include <cstddef>
#include <string_view>

namespace cinerec::fuzz {

// Well-formed UTF-8 per Unicode table 3-7 (the byte ranges, not a decode-then-check).
inline bool ReferenceUtf8(std::string_view text) {
  auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    const auto byte = [&](std::size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : static_cast<unsigned char>(0);
    };
    if (b0 <= 0x7F) {
      i += 1;
    } else if (in(b0, 0xC2, 0xDF)) {
      if (!in(byte(1), 0x80, 0xBF)) return false;
      i += 2;
    } else if (in(b0, 0xE0, 0xEF)) {
      const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
      if (!in(byte(1), lo, hi) || !in(byte(2), 0x80, 0xBF)) return false;
      i += 3;
    } else if (in(b0, 0xF0, 0xF4)) {
      const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
      if (!in(byte(1), lo, hi) || !in(byte(2), 0x80, 0xBF) || !in(byte(3), 0x80, 0xBF)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

// The parser's rule for stored text: well-formed UTF-8 without NUL.
inline bool StorableText(std::string_view text) {
  return ReferenceUtf8(text) && text.find('\0') == std::string_view::npos;
}

inline bool Blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

inline bool IsHex(char c, bool lower_only) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (!lower_only && c >= 'A' && c <= 'F');
}

// 8-4-4-4-12 hexadecimal digits; lower_only: the canonical form the parser stores.
inline bool UuidText(std::string_view text, bool lower_only) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i], lower_only)) return false;
  }
  return true;
}

}  // namespace cinerec::fuzz
