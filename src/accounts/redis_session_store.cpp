#include "accounts/redis_session_store.h"

#include <sstream>

#include "accounts/token.h"
#include "common/errors.h"
#include "storage/redis/redis_client.h"

namespace cinerec::accounts {
namespace {

void Check(const RedisReply& reply) {
  if (reply.is_error()) throw StoreError("redis", reply.str);
}

std::string Encode(const Session& s) {
  return std::to_string(s.user_id) + " " + s.role + " " + s.tier + " " + std::to_string(s.expires_at_ms);
}

std::optional<Session> Decode(const std::string& digest, const std::string& value) {
  std::istringstream in(value);
  Session s;
  s.digest = digest;
  if (!(in >> s.user_id >> s.role >> s.tier >> s.expires_at_ms)) return std::nullopt;
  return s;
}

std::string Millis(std::chrono::milliseconds ttl) {
  return std::to_string(std::max<std::int64_t>(1, ttl.count()));
}

}  // namespace

std::string RedisSessionStore::SessionKey(const std::string& digest) const {
  return prefix_ + "session:{" + HexDigest(digest) + "}";
}

std::string RedisSessionStore::UserSessionsKey(std::int64_t user_id) const {
  return prefix_ + "user_sessions:{" + std::to_string(user_id) + "}";
}

void RedisSessionStore::Put(const Session& session, std::chrono::milliseconds ttl) {
  Check(redis_.Command({"SET", SessionKey(session.digest), Encode(session), "PX", Millis(ttl)}));
  auto index = UserSessionsKey(session.user_id);
  auto replies =
      redis_.Pipeline({{"SADD", index, HexDigest(session.digest)}, {"PEXPIRE", index, Millis(ttl)}});
  for (const auto& r : replies)
    Check(r);
}

std::optional<Session> RedisSessionStore::Get(const std::string& digest) {
  auto reply = redis_.Command({"GET", SessionKey(digest)});
  Check(reply);
  if (reply.is_nil()) return std::nullopt;
  return Decode(digest, reply.str);
}

void RedisSessionStore::Touch(const std::string& digest, std::chrono::milliseconds ttl) {
  Check(redis_.Command({"PEXPIRE", SessionKey(digest), Millis(ttl)}));
}

std::optional<Session> RedisSessionStore::GetAndTouch(const std::string& digest,
                                                      std::chrono::milliseconds ttl) {
  const auto key = SessionKey(digest);
  auto replies = redis_.Pipeline({{"GET", key}, {"PEXPIRE", key, Millis(ttl)}});
  for (const auto& r : replies)
    Check(r);
  if (replies.at(0).is_nil()) return std::nullopt;
  return Decode(digest, replies.at(0).str);
}

std::optional<Session> RedisSessionStore::GetWithTtl(const std::string& digest, std::int64_t& remaining_ms) {
  const auto key = SessionKey(digest);
  auto replies = redis_.Pipeline({{"GET", key}, {"PTTL", key}});
  for (const auto& r : replies)
    Check(r);
  remaining_ms = replies.at(1).integer;
  if (replies.at(0).is_nil()) return std::nullopt;
  return Decode(digest, replies.at(0).str);
}

void RedisSessionStore::Revoke(const std::string& digest) {
  Check(redis_.Command({"DEL", SessionKey(digest)}));
}

void RedisSessionStore::RevokeUser(std::int64_t user_id, const std::string& keep) {
  auto index = UserSessionsKey(user_id);
  auto members = redis_.Command({"SMEMBERS", index});
  Check(members);
  const std::string keep_hex = keep.empty() ? "" : HexDigest(keep);
  for (const auto& m : members.elements) {
    if (m.str == keep_hex) continue;
    Check(redis_.Command({"DEL", prefix_ + "session:{" + m.str + "}"}));
    Check(redis_.Command({"SREM", index, m.str}));
  }
}

}  // namespace cinerec::accounts
