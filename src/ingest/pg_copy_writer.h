#pragma once
// PgCopyWriter: streams rows into PostgreSQL with COPY ... FROM STDIN (text format), the fastest bulk path.
//
// Usage: PgCopyWriter copy(conn, "COPY t (a, b) FROM STDIN"); copy.Field("x").Field(42).EndRow(); ...;
// copy.Finish(). Fields are escaped for the text format (backslash, tab, newline, carriage return); Null()
// writes SQL NULL. Rows are sent in chunks of about 1 MiB. Finish() ends the COPY and throws PgQueryError
// (with SQLSTATE) when the server rejected a row; a writer destroyed before Finish() aborts the COPY.
// REQUIRES: no other statement on `conn` between construction and Finish(). Not thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace cinerec {
class PgConnection;
}

namespace cinerec::ingest {

class PgCopyWriter {
 public:
  PgCopyWriter(PgConnection& conn, const std::string& copy_sql);
  ~PgCopyWriter();
  PgCopyWriter(const PgCopyWriter&) = delete;
  PgCopyWriter& operator=(const PgCopyWriter&) = delete;

  PgCopyWriter& Field(std::string_view text);
  PgCopyWriter& Field(std::int64_t value);
  // Unix seconds as a timestamptz: "YYYY-MM-DD hh:mm:ss+00".
  PgCopyWriter& TimestampUtc(std::int64_t unix_seconds);
  PgCopyWriter& Null();
  void EndRow();
  // Ends the COPY; returns the number of rows written.
  std::uint64_t Finish();

 private:
  void Separate();
  void Send();

  PgConnection& conn_;
  std::string buffer_;
  bool row_open_ = false;
  bool finished_ = false;
  std::uint64_t rows_ = 0;
};

}  // namespace cinerec::ingest
