#include "ingest/delimited_rows.h"

#include <filesystem>

#include "ingest/text.h"

namespace cinerec::ingest {
namespace {

std::string Expected(std::size_t fields, std::string_view separator) {
  std::string name = separator == "\t" ? "tab" : "'" + std::string(separator) + "'";
  return "expected " + std::to_string(fields) + " " + name + "-separated fields";
}

}  // namespace

std::uint64_t ReadDelimitedUsers(const std::string& path, std::string_view separator,
                                 const ReadOptions& options,
                                 const std::function<void(const UserRecord&)>& fn) {
  if (!std::filesystem::exists(path)) return 0;
  const std::string expected = Expected(5, separator);
  return ForEachLine(path, false, options,
                     [&](std::string_view line) {
                       auto f = SplitFields(line, separator);
                       if (f.size() != 5) throw BadRow(expected);
                       fn(UserRecord{ParseInt(f[0], "user id")});
                     })
      .skipped;
}

std::uint64_t ReadDelimitedRatings(const std::string& path, std::string_view separator,
                                   const ReadOptions& options,
                                   const std::function<void(const RatingRecord&)>& fn,
                                   std::uint64_t* bytes_read) {
  const std::string expected = Expected(4, separator);
  return ForEachLine(
             path, false, options,
             [&](std::string_view line) {
               auto f = SplitFields(line, separator);
               if (f.size() != 4) throw BadRow(expected);
               fn(RatingRecord{ParseInt(f[0], "user id"), ParseInt(f[1], "movie id"),
                               ParseDouble(f[2], "rating"), ParseInt(f[3], "timestamp")});
             },
             bytes_read)
      .skipped;
}

}  // namespace cinerec::ingest
