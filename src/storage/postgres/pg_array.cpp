#include "storage/postgres/pg_array.h"

namespace cinerec {

void AppendPgArrayElement(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void PgArrayLiteral::Add(std::int64_t value) {
  Separate();
  text_ += std::to_string(value);
}

void PgArrayLiteral::Add(bool value) {
  Separate();
  text_ += value ? 't' : 'f';
}

void PgArrayLiteral::Add(std::string_view value) {
  Separate();
  AppendPgArrayElement(text_, value);
}

std::string PgArrayLiteral::Finish() {
  text_ += '}';
  return std::move(text_);
}

std::string PgArray(const std::vector<std::int64_t>& values) {
  PgArrayLiteral array;
  for (auto value : values)
    array.Add(value);
  return array.Finish();
}

std::string PgArray(const std::vector<std::string>& values) {
  PgArrayLiteral array;
  for (const auto& value : values)
    array.Add(std::string_view(value));
  return array.Finish();
}

}  // namespace cinerec
