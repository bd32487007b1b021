#pragma once
// PostgreSQL text-format array literals ({1,2,3}, {"a","b \"c\""}): many values as one statement parameter,
// read with $1::bigint[] / $1::text[] and unnest, so a batch costs one round trip and stays parameterised.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cinerec {

// Appends `text` as one element of a text-format array literal: always double-quoted, so that commas,
// braces, blanks and the word NULL stay data. REQUIRES: no NUL byte.
void AppendPgArrayElement(std::string& out, std::string_view text);

// An array literal built element by element.
class PgArrayLiteral {
 public:
  PgArrayLiteral() : text_("{") {}
  void Add(std::int64_t value);
  void Add(bool value);
  void Add(std::string_view value);
  std::string Finish();

 private:
  void Separate() {
    if (text_.size() > 1) text_ += ',';
  }
  std::string text_;
};

std::string PgArray(const std::vector<std::int64_t>& values);
std::string PgArray(const std::vector<std::string>& values);

}  // namespace cinerec
