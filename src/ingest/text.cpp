#include "ingest/text.h"

#include <charconv>
#include <cstdlib>

namespace cinerec::ingest {

std::vector<std::string_view> SplitFields(std::string_view line, std::string_view separator) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    auto pos = line.find(separator, start);
    if (pos == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return fields;
    }
    fields.push_back(line.substr(start, pos - start));
    start = pos + separator.size();
  }
}

std::vector<std::string> ParseCsvLine(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) throw BadRow("unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') throw BadRow("text after a closing quote");
    } else {
      auto end = line.find(',', i);
      if (end == std::string_view::npos) end = line.size();
      field.assign(line.substr(i, end - i));
      if (field.find('"') != std::string::npos) throw BadRow("quote inside an unquoted field");
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

std::string Latin1ToUtf8(std::string_view latin1) {
  std::string out;
  out.reserve(latin1.size() + 8);
  for (unsigned char c : latin1) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::int64_t ParseInt(std::string_view text, const char* what) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size())
    throw BadRow(std::string(what) + " is not an integer: '" + std::string(text) + "'");
  return value;
}

double ParseDouble(std::string_view text, const char* what) {
  // strtod rather than from_chars<double>: the latter is missing from some standard libraries still in use.
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size())
    throw BadRow(std::string(what) + " is not a number: '" + copy + "'");
  return value;
}

TitleYear SplitTitleYear(std::string_view title) {
  auto trimmed = title;
  while (!trimmed.empty() && trimmed.back() == ' ')
    trimmed.remove_suffix(1);
  TitleYear result{std::string(trimmed), std::nullopt};
  if (trimmed.size() < 6 || trimmed.back() != ')') return result;
  auto open = trimmed.rfind('(');
  if (open == std::string_view::npos || trimmed.size() - open != 6) return result;
  auto digits = trimmed.substr(open + 1, 4);
  int year = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + 4, year);
  if (ec != std::errc() || ptr != digits.data() + 4 || year < 1870 || year > 2100) return result;
  auto rest = trimmed.substr(0, open);
  while (!rest.empty() && rest.back() == ' ')
    rest.remove_suffix(1);
  if (rest.empty()) return result;
  return {std::string(rest), year};
}

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace cinerec::ingest
