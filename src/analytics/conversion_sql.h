#pragma once
// The SQL of recommendation conversion, shared by the reports and the history export
// (recommendation_report.cpp defines them; the rules are in its header comment).
#include <cstdint>
#include <string>

namespace cinerec::analytics {

// Impressions matching `where`, one row per event id: event_id, uid, mid, ts, model_version_k, variant_k,
// source_k, position_k (strings for grouping), request_k, position_n, score_n, source_n.
std::string DistinctImpressions(const std::string& where);

// Per (uid, mid): arrays clicks, starts, completes of outcome times in [from, to + window], for the
// (user_id, movie_id) pairs that `impression_pairs` (a subquery) selects only; `user_condition`
// (" AND ...", may be empty) restricts the outcome rows further, e.g. to one share of the users.
std::string Outcomes(std::int64_t from, std::int64_t to, std::int64_t window, double threshold,
                     const std::string& impression_pairs, const std::string& user_condition = "");

// The same for outcome times matching `time_condition` (e.g. an IntervalsCondition of several ranges).
std::string OutcomesWhere(const std::string& time_condition, double threshold,
                          const std::string& impression_pairs, const std::string& user_condition = "");

// toUInt32 of the first time in `times` within [ts, ts + window], 0 when none.
std::string FirstWithin(std::int64_t window_s, const std::string& times);

}  // namespace cinerec::analytics
