#pragma once
// Deterministic identifiers and formats for imported history, so that a re-run writes the same keys.
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json_text.h"

namespace cinerec::ingest {

// A name-based UUID (version 5 layout over SHA-1 of `name`, no namespace): the same name always gives the
// same id, e.g. DeterministicUuid("ml-1m:1:1193:978300760:view_start").
std::string DeterministicUuid(std::string_view name);
// Appends the 128 bits hi:lo (big-endian: hi's top byte first) as a UUID's text, 8-4-4-4-12 lower-case hex.
void AppendUuid(std::string& out, std::uint64_t hi, std::uint64_t lo);

// Unix seconds -> "YYYY-MM-DD hh:mm:ss" (UTC): accepted by ClickHouse DateTime('UTC') columns.
// REQUIRES: a time in the years 1000-9999 (four digits).
std::string FormatUtc(std::int64_t unix_seconds);
// Appends FormatUtc(unix_seconds) to `out`.
void AppendUtc(std::string& out, std::int64_t unix_seconds);
// Unix seconds -> YYYYMM in UTC (ClickHouse's toYYYYMM of a DateTime('UTC')): the partition of an event.
int UtcMonth(std::int64_t unix_seconds);
// Unix seconds -> "YYYY-MM-DD hh:mm:ss+00" for a PostgreSQL timestamptz.
std::string FormatUtcTz(std::int64_t unix_seconds);

// Appends `text` as a JSON string literal (quotes included): common/json_text.h.
using cinerec::AppendJsonString;

}  // namespace cinerec::ingest
