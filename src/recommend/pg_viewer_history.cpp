#include <boost/json/parse.hpp>

#include "recommend/viewer_history.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::recommend {
namespace {

// One round trip: the profile, the effective tier (as accounts/user_attribute_cache.cpp defines it), the
// newest $2 watch sessions with the movie's length, and the current likes/dislikes, as JSON arrays.
constexpr const char* kSelectHistory =
    "SELECT COALESCE(u.profile->'favourite_genres', '[]')::text,"
    " CASE WHEN s.status IN ('active', 'past_due') AND (s.expires_at IS NULL OR s.expires_at > now())"
    "      THEN s.plan ELSE 'free' END,"
    " COALESCE((SELECT json_agg(json_build_array(v.movie_id, v.watched_s, v.completed, m.duration_s,"
    "                   (extract(epoch FROM v.last_event_at) * 1000)::bigint)"
    "                   ORDER BY v.movie_id, v.last_event_at)"
    "           FROM (SELECT movie_id, watched_s, completed, last_event_at FROM views"
    "                 WHERE user_id = u.id ORDER BY started_at DESC, id DESC LIMIT $2) v"
    "           JOIN movies m ON m.id = v.movie_id), '[]')::text,"
    " COALESCE((SELECT json_agg(json_build_array(r.movie_id, r.value,"
    "                   (extract(epoch FROM r.event_time) * 1000)::bigint))"
    "           FROM reactions r WHERE r.user_id = u.id AND r.value <> 0), '[]')::text"
    " FROM users u LEFT JOIN subscriptions s ON s.user_id = u.id WHERE u.id = $1";

}  // namespace

ViewerHistory PgHistorySource::Load(std::int64_t user_id) {
  const PgResult result =
      pool_.Exec(kSelectHistory, PgParams(user_id, static_cast<std::int64_t>(max_views_)));
  ViewerHistory history;
  if (result.rows() == 0) return history;
  history.exists = true;
  // favourite_genres is validated by the accounts API as an array of strings; anything else is ignored.
  const auto genres = boost::json::parse(result.Get(0, 0));
  if (genres.is_array())
    for (const auto& genre : genres.as_array())
      if (genre.is_string()) history.onboarding_genres.emplace_back(genre.as_string());
  history.tier = std::string(result.Get(0, 1));
  const auto views = boost::json::parse(result.Get(0, 2));
  for (const auto& value : views.as_array()) {
    const auto& row = value.as_array();
    ViewRecord view;
    view.movie_id = row[0].to_number<std::int64_t>();
    view.watched_s = row[1].to_number<std::int64_t>();
    view.completed = row[2].as_bool();
    if (!row[3].is_null()) view.duration_s = row[3].to_number<std::int64_t>();
    view.time_ms = row[4].to_number<std::int64_t>();
    history.views.push_back(view);
  }
  const auto reactions = boost::json::parse(result.Get(0, 3));
  for (const auto& value : reactions.as_array()) {
    const auto& row = value.as_array();
    history.reactions.push_back({row[0].to_number<std::int64_t>(),
                                 static_cast<int>(row[1].to_number<std::int64_t>()),
                                 row[2].to_number<std::int64_t>()});
  }
  return history;
}

}  // namespace cinerec::recommend
