// InMemoryRedis: hashes, sets and lists.
#include <fmt/format.h>

#include "storage/redis/in_memory_redis_state.h"

namespace cinerec::redis_fake {
namespace {

using State = InMemoryRedis::State;

// ---- hashes ----

RedisReply HSet(State& state, const RedisCommand& args) {
  if (args.size() % 2 != 0) return Error("ERR wrong number of arguments for 'hset' command");
  bool wrong_type = false;
  Hash* hash = state.FindOrCreate<Hash>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::int64_t added = 0;
  for (std::size_t i = 2; i + 1 < args.size(); i += 2) {
    auto [it, inserted] = hash->insert_or_assign(args[i], args[i + 1]);
    added += inserted;
  }
  return Int(added);
}

RedisReply HGet(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Hash* hash = state.FindAs<Hash>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  if (hash == nullptr) return Nil();
  auto it = hash->find(args[2]);
  return it == hash->end() ? Nil() : Bulk(it->second);
}

RedisReply HGetAll(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Hash* hash = state.FindAs<Hash>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::vector<RedisReply> out;
  if (hash != nullptr) {
    for (const auto& [field, value] : *hash) {
      out.push_back(Bulk(field));
      out.push_back(Bulk(value));
    }
  }
  return Array(std::move(out));
}

RedisReply HDel(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Hash* hash = state.FindAs<Hash>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  if (hash == nullptr) return Int(0);
  std::int64_t removed = 0;
  for (std::size_t i = 2; i < args.size(); ++i)
    removed += static_cast<std::int64_t>(hash->erase(args[i]));
  state.EraseIfEmpty(args[1], *hash);
  return Int(removed);
}

// ---- sets ----

RedisReply SAdd(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Set* set = state.FindOrCreate<Set>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::int64_t added = 0;
  for (std::size_t i = 2; i < args.size(); ++i)
    added += set->insert(args[i]).second;
  return Int(added);
}

RedisReply SRem(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Set* set = state.FindAs<Set>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  if (set == nullptr) return Int(0);
  std::int64_t removed = 0;
  for (std::size_t i = 2; i < args.size(); ++i)
    removed += static_cast<std::int64_t>(set->erase(args[i]));
  state.EraseIfEmpty(args[1], *set);
  return Int(removed);
}

RedisReply SMembers(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Set* set = state.FindAs<Set>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::vector<RedisReply> out;
  if (set != nullptr) {
    for (const auto& member : *set)
      out.push_back(Bulk(member));
  }
  return Array(std::move(out));
}

RedisReply SIsMember(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  Set* set = state.FindAs<Set>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  return Int(set != nullptr && set->count(args[2]) > 0);
}

// ---- lists ----

RedisReply LPush(State& state, const RedisCommand& args) {
  bool wrong_type = false;
  List* list = state.FindOrCreate<List>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  for (std::size_t i = 2; i < args.size(); ++i)
    list->push_front(args[i]);
  return Int(static_cast<std::int64_t>(list->size()));
}

RedisReply LTrim(State& state, const RedisCommand& args) {
  std::int64_t start = 0, stop = 0;
  if (!ParseInt(args[2], start) || !ParseInt(args[3], stop)) return NotInteger();
  bool wrong_type = false;
  List* list = state.FindAs<List>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  if (list == nullptr) return Ok();
  std::size_t from = 0, to = 0;
  if (!NormalizeRange(start, stop, list->size(), from, to)) {
    state.keys.erase(args[1]);
    return Ok();
  }
  list->erase(list->begin() + static_cast<std::ptrdiff_t>(to) + 1, list->end());
  list->erase(list->begin(), list->begin() + static_cast<std::ptrdiff_t>(from));
  return Ok();
}

RedisReply LRange(State& state, const RedisCommand& args) {
  std::int64_t start = 0, stop = 0;
  if (!ParseInt(args[2], start) || !ParseInt(args[3], stop)) return NotInteger();
  bool wrong_type = false;
  List* list = state.FindAs<List>(args[1], wrong_type);
  if (wrong_type) return WrongType();
  std::vector<RedisReply> out;
  std::size_t from = 0, to = 0;
  if (list != nullptr && NormalizeRange(start, stop, list->size(), from, to)) {
    for (std::size_t i = from; i <= to; ++i)
      out.push_back(Bulk((*list)[i]));
  }
  return Array(std::move(out));
}

}  // namespace

void AddCollectionCommands(CommandTable& table) {
  table["hset"] = {HSet, -4};
  table["hget"] = {HGet, 3};
  table["hgetall"] = {HGetAll, 2};
  table["hdel"] = {HDel, -3};
  table["sadd"] = {SAdd, -3};
  table["srem"] = {SRem, -3};
  table["smembers"] = {SMembers, 2};
  table["sismember"] = {SIsMember, 3};
  table["lpush"] = {LPush, -3};
  table["ltrim"] = {LTrim, 4};
  table["lrange"] = {LRange, 4};
}

}  // namespace cinerec::redis_fake
