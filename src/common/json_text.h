#pragma once
// Writing JSON text straight into a string, for the few hot answers (a recommendation page, impression
// rows) where building a boost::json tree and serializing it cost more than the work behind them. Everything
// else uses boost::json.
#include <charconv>
#include <string>
#include <string_view>

namespace cinerec {

// Appends `text` as a JSON string literal (quotes included): '"', '\\' and control characters escaped,
// every other byte as is (UTF-8 passes through).
void AppendJsonString(std::string& out, std::string_view text);

// Appends an integer or a float (shortest text that reads back the same value; a float that is not finite
// must not be passed: JSON has no such number).
template <typename Number>
void AppendJsonNumber(std::string& out, Number value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  out.append(buffer, end);
}

}  // namespace cinerec
