#pragma once
// Text for the tab-separated line formats: ClickHouse's TabSeparated and PostgreSQL's COPY text format escape
// a field alike (backslash, tab, newline, carriage return with a backslash).
#include <string>
#include <string_view>

namespace cinerec {

// Appends `text` as one field: '\\', '\t', '\n' and '\r' escaped, every other byte as is.
void AppendTabSeparated(std::string& out, std::string_view text);

// Appends `text` as a quoted string inside a ClickHouse TabSeparated array field ("['a','b']"): single quotes
// around, and '\'' escaped too.
void AppendTabSeparatedQuoted(std::string& out, std::string_view text);

}  // namespace cinerec
