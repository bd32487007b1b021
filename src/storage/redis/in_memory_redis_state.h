#pragma once
// Internal to InMemoryRedis: the key space, reply builders and argument parsing shared by its .cpp files.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>

#include "storage/redis/in_memory_redis.h"

namespace cinerec {

namespace redis_fake {

using TimePoint = std::chrono::steady_clock::time_point;
using Hash = std::map<std::string, std::string>;
using Set = std::set<std::string>;
using List = std::deque<std::string>;
struct ZSet {
  std::unordered_map<std::string, double> scores;
  std::set<std::pair<double, std::string>> order;  // Redis' order: score, then member bytes
  void Put(const std::string& member, double score);
  bool Remove(const std::string& member);
};

struct Entry {
  std::variant<std::string, Hash, ZSet, Set, List> value;
  std::optional<TimePoint> expires_at;
};

RedisReply Ok();
RedisReply Int(std::int64_t value);
RedisReply Bulk(std::string value);
RedisReply Nil();
RedisReply Error(std::string message);
RedisReply Array(std::vector<RedisReply> elements);
RedisReply WrongType();
RedisReply NotInteger();
RedisReply NotFloat();
RedisReply SyntaxError();

std::string Lower(std::string text);
bool ParseInt(const std::string& text, std::int64_t& value);
bool ParseScore(const std::string& text, double& value);
std::string FormatScore(double score);
// Redis' LRANGE/ZRANGE index rules (negative from the end, clamped). False when the range is empty.
bool NormalizeRange(std::int64_t start, std::int64_t stop, std::size_t size, std::size_t& from,
                    std::size_t& to);

}  // namespace redis_fake

struct InMemoryRedis::State {
  InMemoryRedis::Clock clock;
  redis_fake::TimePoint now;  // the clock read once per command
  std::unordered_map<std::string, redis_fake::Entry> keys;

  // The live entry or nullptr; an expired one is erased on the way (Redis' lazy expiry).
  redis_fake::Entry* Find(const std::string& key);

  // A collection of type T at `key`: nullptr if absent; sets wrong_type if the key holds another type.
  template <typename T>
  T* FindAs(const std::string& key, bool& wrong_type) {
    wrong_type = false;
    redis_fake::Entry* entry = Find(key);
    if (entry == nullptr) return nullptr;
    T* value = std::get_if<T>(&entry->value);
    wrong_type = value == nullptr;
    return value;
  }
  // Like FindAs but creates an empty T when absent.
  template <typename T>
  T* FindOrCreate(const std::string& key, bool& wrong_type) {
    T* value = FindAs<T>(key, wrong_type);
    if (value != nullptr || wrong_type) return value;
    return &std::get<T>(keys[key].value = T{});
  }
  // Redis deletes a collection that became empty.
  template <typename T>
  void EraseIfEmpty(const std::string& key, const T& value) {
    if (value.empty()) keys.erase(key);
  }
  void EraseIfEmpty(const std::string& key, const redis_fake::ZSet& value) {
    if (value.scores.empty()) keys.erase(key);
  }
};

namespace redis_fake {

using Handler = RedisReply (*)(InMemoryRedis::State& state, const RedisCommand& args);
struct CommandSpec {
  Handler handler;
  int arity;  // as Redis: N = exactly N arguments (with the name), -N = at least N
};
using CommandTable = std::unordered_map<std::string, CommandSpec>;

void AddKeyCommands(CommandTable& table);         // in_memory_redis_keys.cpp
void AddCollectionCommands(CommandTable& table);  // in_memory_redis_collections.cpp
void AddSortedSetCommands(CommandTable& table);   // in_memory_redis_zset.cpp

}  // namespace redis_fake
}  // namespace cinerec
