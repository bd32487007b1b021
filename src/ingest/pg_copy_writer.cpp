#include "ingest/pg_copy_writer.h"

#include <libpq-fe.h>

#include <charconv>

#include "common/errors.h"
#include "common/tab_separated.h"
#include "ingest/event_ids.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::ingest {
namespace {

constexpr std::size_t kSendBytes = 1 << 20;

std::string SqlState(PGresult* result) {
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return state ? state : "";
}

}  // namespace

PgCopyWriter::PgCopyWriter(PgConnection& conn, const std::string& copy_sql) : conn_(conn) {
  PGresult* result = PQexec(conn_.raw(), copy_sql.c_str());
  auto status = PQresultStatus(result);
  if (status != PGRES_COPY_IN) {
    std::string message = PQerrorMessage(conn_.raw());
    std::string state = SqlState(result);
    PQclear(result);
    throw PgQueryError(state, "COPY failed to start: " + message);
  }
  PQclear(result);
  buffer_.reserve(kSendBytes + 4096);
}

PgCopyWriter::~PgCopyWriter() {
  if (finished_) return;
  PQputCopyEnd(conn_.raw(), "aborted by the writer");
  while (PGresult* result = PQgetResult(conn_.raw()))
    PQclear(result);
}

void PgCopyWriter::Separate() {
  if (row_open_) buffer_ += '\t';
  row_open_ = true;
}

PgCopyWriter& PgCopyWriter::Field(std::string_view text) {
  Separate();
  AppendTabSeparated(buffer_, text);  // COPY's text format escapes a field as TabSeparated does
  return *this;
}

PgCopyWriter& PgCopyWriter::Field(std::int64_t value) {
  Separate();
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  buffer_.append(digits, end);
  return *this;
}

PgCopyWriter& PgCopyWriter::TimestampUtc(std::int64_t unix_seconds) {
  Separate();
  AppendUtc(buffer_, unix_seconds);
  buffer_ += "+00";
  return *this;
}

PgCopyWriter& PgCopyWriter::Null() {
  Separate();
  buffer_ += "\\N";
  return *this;
}

void PgCopyWriter::EndRow() {
  buffer_ += '\n';
  row_open_ = false;
  ++rows_;
  if (buffer_.size() >= kSendBytes) Send();
}

void PgCopyWriter::Send() {
  if (buffer_.empty()) return;
  if (PQputCopyData(conn_.raw(), buffer_.data(), static_cast<int>(buffer_.size())) != 1)
    throw StoreError("postgres", std::string("COPY data: ") + PQerrorMessage(conn_.raw()));
  buffer_.clear();
}

std::uint64_t PgCopyWriter::Finish() {
  Send();
  finished_ = true;
  if (PQputCopyEnd(conn_.raw(), nullptr) != 1)
    throw StoreError("postgres", std::string("COPY end: ") + PQerrorMessage(conn_.raw()));
  std::string error, state;
  while (PGresult* result = PQgetResult(conn_.raw())) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && error.empty()) {
      error = PQresultErrorMessage(result);
      state = SqlState(result);
    }
    PQclear(result);
  }
  if (!error.empty()) throw PgQueryError(state, "COPY: " + error);
  return rows_;
}

}  // namespace cinerec::ingest
