#pragma once
// UTF-8 validation for text that PostgreSQL and ClickHouse must store verbatim.
#include <string_view>

namespace cinerec {

// True when `text` is well-formed UTF-8: no overlong forms, surrogates or code points beyond U+10FFFF.
// (NUL bytes are valid UTF-8; callers that store into PostgreSQL refuse them separately.)
bool IsValidUtf8(std::string_view text);

}  // namespace cinerec
