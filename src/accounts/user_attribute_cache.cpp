#include "accounts/user_attribute_cache.h"

#include <algorithm>

#include "storage/postgres/pg_pool.h"

namespace cinerec::accounts {

UserAttributeCache::UserAttributeCache(Loader loader, std::size_t capacity, std::chrono::seconds ttl)
    : loader_(std::move(loader)), generation_capacity_(std::max<std::size_t>(1, capacity / 2)), ttl_(ttl) {}

const UserAttributeCache::Entry* UserAttributeCache::FindLocked(std::int64_t id,
                                                                std::chrono::steady_clock::time_point now) {
  if (auto it = young_.find(id); it != young_.end()) {
    return now - it->second.loaded_at < ttl_ ? &it->second : nullptr;
  }
  auto it = old_.find(id);
  if (it == old_.end() || now - it->second.loaded_at >= ttl_) return nullptr;
  Entry entry = std::move(it->second);
  old_.erase(it);
  InsertLocked(id, std::move(entry));
  return &young_.at(id);
}

void UserAttributeCache::InsertLocked(std::int64_t id, Entry entry) {
  if (young_.size() >= generation_capacity_ && !young_.contains(id)) {
    old_ = std::move(young_);
    young_.clear();
  }
  young_.insert_or_assign(id, std::move(entry));
}

UserAttributeCache::AttributeMap UserAttributeCache::Get(const std::vector<std::int64_t>& ids) {
  AttributeMap out;
  std::vector<std::int64_t> missing;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (auto id : ids) {
      if (out.contains(id)) continue;
      if (const auto* entry = FindLocked(id, now)) {
        out.emplace(id, entry->attributes);
        ++hits_;
      } else {
        out.emplace(id, UserAttributes{});
        missing.push_back(id);
        ++misses_;
      }
    }
  }
  if (missing.empty()) return out;
  auto loaded = loader_(missing);  // outside the lock: may take a while, may throw
  std::lock_guard lock(mutex_);
  for (auto id : missing) {
    auto it = loaded.find(id);
    UserAttributes attributes = it == loaded.end() ? UserAttributes{} : std::move(it->second);
    out[id] = attributes;
    InsertLocked(id, Entry{std::move(attributes), now});
  }
  return out;
}

UserAttributeCache::AttributeMap UserAttributeCache::GetCached(const std::vector<std::int64_t>& ids) {
  AttributeMap out;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  for (auto id : ids)
    if (const auto* entry = FindLocked(id, now)) out.emplace(id, entry->attributes);
  return out;
}

std::uint64_t UserAttributeCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t UserAttributeCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

UserAttributeCache::Loader PgUserAttributeLoader(PgPool& pool) {
  return [&pool](const std::vector<std::int64_t>& ids) {
    static const std::string kSql =
        "SELECT u.id,"
        " CASE WHEN s.status IN ('active', 'past_due') AND (s.expires_at IS NULL OR s.expires_at > now())"
        "      THEN s.plan ELSE 'free' END,"
        " COALESCE(u.profile->>'country', '')"
        " FROM users u LEFT JOIN subscriptions s ON s.user_id = u.id"
        " WHERE u.id = ANY($1::bigint[])";
    std::string array = "{";
    for (std::size_t i = 0; i < ids.size(); ++i)
      array += (i ? "," : "") + std::to_string(ids[i]);
    array += "}";
    const auto result = pool.Exec(kSql, PgParams(array));
    UserAttributeCache::AttributeMap out;
    for (int row = 0; row < result.rows(); ++row)
      out.emplace(result.GetInt(row, 0),
                  UserAttributes{true, std::string(result.Get(row, 1)), std::string(result.Get(row, 2))});
    return out;
  };
}

}  // namespace cinerec::accounts
