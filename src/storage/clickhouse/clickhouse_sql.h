#pragma once
// Small pieces of SQL handling shared by the ClickHouse adapter, its fake and the batcher.
#include <string>
#include <string_view>

namespace cinerec {

// Table and format names are spliced into SQL text, so only [A-Za-z0-9_.] is allowed (no quotes, spaces,
// comments or semicolons), not empty, without a leading, trailing or doubled dot.
bool IsClickHouseIdentifier(std::string_view text);
// Throws std::invalid_argument naming `what` when !IsClickHouseIdentifier(text): a caller's bug, not a store
// error, so it is never retried.
void CheckClickHouseIdentifier(std::string_view what, std::string_view text);

// The error code of a ClickHouse exception body, 0 if there is none. Understands 18.16
// ("Code: 60, e.displayText() = DB::Exception: ...") and current versions ("Code: 60. DB::Exception: ...").
int ParseClickHouseErrorCode(std::string_view body);

// Codes meaning the server could not run the statement now (overload, memory, timeouts, authentication)
// rather than that the statement is wrong: reported as StoreError, so callers retry or degrade.
bool IsTransientClickHouseError(int code);

// True for statements that only read (SELECT, SHOW, DESCRIBE, EXISTS, WITH): safe to send twice.
bool IsReadOnlyStatement(std::string_view sql);

}  // namespace cinerec
