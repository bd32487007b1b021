#include "storage/clickhouse/clickhouse_sql.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace cinerec {

bool IsClickHouseIdentifier(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  if (text.find("..") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

void CheckClickHouseIdentifier(std::string_view what, std::string_view text) {
  if (!IsClickHouseIdentifier(text))
    throw std::invalid_argument("clickhouse: invalid " + std::string(what) + " name '" + std::string(text)
                                + "' (allowed: letters, digits, '_' and '.')");
}

int ParseClickHouseErrorCode(std::string_view body) {
  constexpr std::string_view kPrefix = "Code: ";
  auto pos = body.find(kPrefix);
  if (pos == std::string_view::npos) return 0;
  auto digits = body.substr(pos + kPrefix.size());
  int code = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  return ec == std::errc() && end != digits.data() ? code : 0;
}

bool IsTransientClickHouseError(int code) {
  static constexpr std::array kTransient = {
      159,  // TIMEOUT_EXCEEDED
      160,  // TOO_SLOW
      173,  // CANNOT_ALLOCATE_MEMORY
      192,  // UNKNOWN_USER
      193,  // WRONG_PASSWORD
      194,  // REQUIRED_PASSWORD
      195,  // IP_ADDRESS_NOT_ALLOWED
      202,  // TOO_MANY_SIMULTANEOUS_QUERIES
      203,  // NO_FREE_CONNECTION
      209,  // SOCKET_TIMEOUT
      210,  // NETWORK_ERROR
      236,  // ABORTED
      241,  // MEMORY_LIMIT_EXCEEDED
      242,  // TABLE_IS_READ_ONLY
      252,  // TOO_MANY_PARTS
      394,  // QUERY_WAS_CANCELLED
      425,  // SYSTEM_ERROR
      516,  // AUTHENTICATION_FAILED
  };
  return std::find(kTransient.begin(), kTransient.end(), code) != kTransient.end();
}

bool IsReadOnlyStatement(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size()) {  // skip blanks, "--" comments and opening parentheses
    if (std::isspace(static_cast<unsigned char>(sql[i])) || sql[i] == '(') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      auto eol = sql.find('\n', i);
      i = eol == std::string_view::npos ? sql.size() : eol + 1;
    } else {
      break;
    }
  }
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  return word == "SELECT" || word == "SHOW" || word == "DESCRIBE" || word == "DESC" || word == "EXISTS"
         || word == "WITH";
}

}  // namespace cinerec
