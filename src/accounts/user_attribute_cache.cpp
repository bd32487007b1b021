#include "accounts/user_attribute_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/errors.h"
#include "storage/postgres/pg_array.h"
#include "storage/postgres/pg_pool.h"

namespace cinerec::accounts {

// Every user's attributes, compact: sorted ids and, at the same index, tier and country as indexes into
// small tables of the distinct values (a handful of tiers, a few hundred countries).
struct UserAttributeCache::Snapshot {
  std::vector<std::int64_t> ids;
  std::vector<std::uint16_t> tier, country;
  std::vector<std::string> tiers, countries;
  std::chrono::steady_clock::time_point loaded_at;

  // Sets `out` to the user's attributes; false when the user is not in the snapshot.
  bool Find(std::int64_t id, UserAttributes& out) const {
    const auto it = std::lower_bound(ids.begin(), ids.end(), id);
    if (it == ids.end() || *it != id) return false;
    const auto i = static_cast<std::size_t>(it - ids.begin());
    out = UserAttributes{true, tiers[tier[i]], countries[country[i]]};
    return true;
  }
};

namespace {

std::uint16_t Intern(std::vector<std::string>& table, std::unordered_map<std::string, std::uint16_t>& index,
                     std::string value) {
  if (auto it = index.find(value); it != index.end()) return it->second;
  if (table.size() >= 0xFFFF) throw std::runtime_error("more than 65,535 distinct tiers or countries");
  const auto i = static_cast<std::uint16_t>(table.size());
  index.emplace(value, i);
  table.push_back(std::move(value));
  return i;
}

}  // namespace

UserAttributeCache::UserAttributeCache(Loader loader, std::size_t capacity, std::chrono::seconds ttl)
    : loader_(std::move(loader)), generation_capacity_(std::max<std::size_t>(1, capacity / 2)), ttl_(ttl) {}

UserAttributeCache::~UserAttributeCache() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
}

void UserAttributeCache::StartSnapshots(SnapshotOptions options) {
  snapshot_thread_ = std::thread([this, options = std::move(options)] { SnapshotLoop(options); });
}

std::size_t UserAttributeCache::snapshot_users() const {
  std::lock_guard lock(mutex_);
  return snapshot_ ? snapshot_->ids.size() : 0;
}

std::shared_ptr<const UserAttributeCache::Snapshot> UserAttributeCache::LoadSnapshot(
    const SnapshotOptions& options) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->loaded_at = std::chrono::steady_clock::now();  // the start: no entry is older than this
  std::unordered_map<std::string, std::uint16_t> tier_index, country_index;
  std::int64_t after = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return nullptr;
    }
    auto page = options.pages(after, options.page_size);
    for (auto& [id, attributes] : page) {
      snapshot->ids.push_back(id);
      snapshot->tier.push_back(Intern(snapshot->tiers, tier_index, std::move(attributes.tier)));
      snapshot->country.push_back(Intern(snapshot->countries, country_index, std::move(attributes.country)));
    }
    if (snapshot->ids.size() > options.max_users) return nullptr;
    if (page.size() < options.page_size) break;
    after = page.back().first;
  }
  return snapshot;
}

void UserAttributeCache::SnapshotLoop(SnapshotOptions options) {
  constexpr std::chrono::seconds kRetry{30};
  for (;;) {
    auto wait = options.refresh;
    try {
      const auto start = std::chrono::steady_clock::now();
      auto snapshot = LoadSnapshot(options);
      const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      if (snapshot) {
        spdlog::debug("user attributes: snapshot of {} users loaded in {:.2f} s", snapshot->ids.size(),
                      seconds);
        // Per-id entries loaded before the snapshot started are older than it: drop them.
        young_.clear();
        old_.clear();
        snapshot_ = std::move(snapshot);
      } else if (snapshot_ == nullptr) {
        spdlog::info("user attributes: more than {} users, no snapshot: per-user lookups only",
                     options.max_users);
      }
    } catch (const std::exception& e) {  // StoreError mostly; the per-id path goes on meanwhile
      spdlog::warn("user attributes: snapshot load failed ({}); retrying in {} s", e.what(), kRetry.count());
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::seconds>(kRetry));
    }
    std::unique_lock lock(mutex_);
    if (stop_.wait_for(lock, wait, [&] { return stopping_; })) return;
  }
}

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
    const Snapshot* snapshot = snapshot_ && now - snapshot_->loaded_at < ttl_ ? snapshot_.get() : nullptr;
    UserAttributes from_snapshot;
    for (auto id : ids) {
      if (out.contains(id)) continue;
      if (const auto* entry = FindLocked(id, now)) {
        out.emplace(id, entry->attributes);
        ++hits_;
      } else if (snapshot != nullptr && snapshot->Find(id, from_snapshot)) {
        out.emplace(id, std::move(from_snapshot));
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
  UserAttributes from_snapshot;
  for (auto id : ids) {
    if (const auto* entry = FindLocked(id, now))
      out.emplace(id, entry->attributes);
    else if (snapshot_ && snapshot_->Find(id, from_snapshot))  // stale or not: PostgreSQL is down
      out.emplace(id, std::move(from_snapshot));
  }
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

namespace {
constexpr const char* kAttributesSelect =
    "SELECT u.id,"
    " CASE WHEN s.status IN ('active', 'past_due') AND (s.expires_at IS NULL OR s.expires_at > now())"
    "      THEN s.plan ELSE 'free' END,"
    " COALESCE(u.profile->>'country', '')"
    " FROM users u LEFT JOIN subscriptions s ON s.user_id = u.id";

// Columns 1 and 2 of a kAttributesSelect row.
UserAttributes RowAttributes(const PgResult& result, int row) {
  return UserAttributes{true, std::string(result.Get(row, 1)), std::string(result.Get(row, 2))};
}
}  // namespace

UserAttributeCache::PageLoader PgUserAttributePages(PgPool& pool) {
  return [&pool](std::int64_t after_id, std::size_t limit) {
    static const std::string kSql =
        std::string(kAttributesSelect) + " WHERE u.id > $1 ORDER BY u.id LIMIT $2";
    const auto result = pool.Exec(kSql, PgParams(after_id, static_cast<std::int64_t>(limit)));
    std::vector<std::pair<std::int64_t, UserAttributes>> out;
    out.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row)
      out.emplace_back(result.GetInt(row, 0), RowAttributes(result, row));
    return out;
  };
}

UserAttributeCache::Loader PgUserAttributeLoader(PgPool& pool) {
  return [&pool](const std::vector<std::int64_t>& ids) {
    static const std::string kSql = std::string(kAttributesSelect) + " WHERE u.id = ANY($1::bigint[])";
    const auto result = pool.Exec(kSql, PgParams(PgArray(ids)));
    UserAttributeCache::AttributeMap out;
    for (int row = 0; row < result.rows(); ++row)
      out.emplace(result.GetInt(row, 0), RowAttributes(result, row));
    return out;
  };
}

}  // namespace cinerec::accounts
