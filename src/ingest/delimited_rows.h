#pragma once
// The user and rating files of ml-100k (u.user, u.data) and ml-1m (users.dat, ratings.dat) differ only by
// their separator: one reader serves both.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ingest/line_reader.h"
#include "ingest/records.h"

namespace cinerec::ingest {

// Users from "id<sep>...<sep>..." rows of 5 fields; a missing file is no users. Returns the rows skipped.
std::uint64_t ReadDelimitedUsers(const std::string& path, std::string_view separator,
                                 const ReadOptions& options,
                                 const std::function<void(const UserRecord&)>& fn);

// Ratings from "user<sep>movie<sep>rating<sep>timestamp" rows. `bytes_read` tracks progress. Returns the rows
// skipped.
std::uint64_t ReadDelimitedRatings(const std::string& path, std::string_view separator,
                                   const ReadOptions& options,
                                   const std::function<void(const RatingRecord&)>& fn,
                                   std::uint64_t* bytes_read);

}  // namespace cinerec::ingest
