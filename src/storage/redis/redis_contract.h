#pragma once
// The Redis contract: one typed test suite that every RedisClient must pass (InMemoryRedis in
// in_memory_redis_test.cpp, RedisPool against the test stack in redis_pool_itest.cpp), so the fake cannot
// drift from the real server. A Backend is default-constructible per test and provides:
//   RedisClient& client();
//   std::string Key(std::string_view name);         // a key unique to this test (the backend cleans up)
//   void LetTimePass(std::chrono::milliseconds d);   // the fake advances its clock, the real one sleeps
//   static constexpr std::chrono::milliseconds kShortTtl;  // a TTL that LetTimePass(3 * kShortTtl) outlives
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "storage/redis/redis_client.h"

namespace cinerec {

template <typename Backend>
class RedisContract : public ::testing::Test {
 protected:
  RedisReply Run(RedisCommand command) { return backend_.client().Command(command); }
  std::string Key(std::string_view name) { return backend_.Key(name); }

  static RedisReply Str(std::string s) { return {RedisReply::Type::kString, 0, std::move(s), {}}; }
  static std::vector<std::string> Strings(const RedisReply& reply) {
    EXPECT_EQ(reply.type, RedisReply::Type::kArray);
    std::vector<std::string> out;
    for (const auto& element : reply.elements)
      out.push_back(element.str);
    return out;
  }
  static std::map<std::string, std::string> Pairs(const RedisReply& reply) {
    auto flat = Strings(reply);
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i + 1 < flat.size(); i += 2)
      out[flat[i]] = flat[i + 1];
    return out;
  }

  Backend backend_;
};

TYPED_TEST_SUITE_P(RedisContract);

using Type = RedisReply::Type;

TYPED_TEST_P(RedisContract, StringsAreBinarySafe) {
  const std::string nul_key = this->Key(std::string("a\0b", 3));
  const std::string value = std::string("x\0y\r\n\0", 6) + "ünïcödé 🎬";
  auto set = this->Run({"SET", nul_key, value});
  EXPECT_EQ(set.type, Type::kStatus);
  EXPECT_EQ(set.str, "OK");
  auto got = this->Run({"GET", nul_key});
  ASSERT_EQ(got.type, Type::kString);
  EXPECT_EQ(got.str, value);
  EXPECT_TRUE(this->Run({"GET", this->Key(std::string("a\0c", 3))}).is_nil());
  this->Run({"SET", this->Key("empty"), ""});
  auto empty = this->Run({"GET", this->Key("empty")});
  EXPECT_EQ(empty.type, Type::kString);
  EXPECT_EQ(empty.str, "");
}

TYPED_TEST_P(RedisContract, SetConditions) {
  const auto key = this->Key("cond");
  EXPECT_TRUE(this->Run({"SET", key, "1", "XX"}).is_nil());
  EXPECT_EQ(this->Run({"SET", key, "1", "NX"}).str, "OK");
  EXPECT_TRUE(this->Run({"SET", key, "2", "NX"}).is_nil());
  EXPECT_EQ(this->Run({"SET", key, "3", "XX"}).str, "OK");
  EXPECT_EQ(this->Run({"GET", key}).str, "3");
  EXPECT_TRUE(this->Run({"SET", key, "4", "EX", "0"}).is_error());
}

TYPED_TEST_P(RedisContract, KeysExpire) {
  using std::chrono::milliseconds;
  const auto ttl = TypeParam::kShortTtl;
  const auto a = this->Key("a"), b = this->Key("b"), c = this->Key("c");
  this->Run({"SET", a, "1", "PX", std::to_string(ttl.count())});
  this->Run({"SET", b, "1"});
  this->Run({"SET", c, "1"});
  EXPECT_EQ(this->Run({"PEXPIRE", b, std::to_string(ttl.count())}).integer, 1);
  EXPECT_EQ(this->Run({"EXPIRE", c, "100"}).integer, 1);
  EXPECT_EQ(this->Run({"PEXPIRE", this->Key("missing"), "100"}).integer, 0);
  auto pttl = this->Run({"PTTL", a});
  EXPECT_EQ(pttl.type, Type::kInteger);
  EXPECT_GT(pttl.integer, 0);
  EXPECT_LE(pttl.integer, ttl.count());
  EXPECT_EQ(this->Run({"TTL", c}).integer, 100);
  this->Run({"SET", this->Key("forever"), "1"});
  EXPECT_EQ(this->Run({"TTL", this->Key("forever")}).integer, -1);
  EXPECT_EQ(this->Run({"TTL", this->Key("missing")}).integer, -2);

  this->backend_.LetTimePass(3 * ttl);
  EXPECT_TRUE(this->Run({"GET", a}).is_nil());
  EXPECT_EQ(this->Run({"EXISTS", a, b, c}).integer, 1);
  EXPECT_EQ(this->Run({"PTTL", b}).integer, -2);
}

TYPED_TEST_P(RedisContract, CountersAndDeletes) {
  const auto n = this->Key("n"), s = this->Key("s");
  EXPECT_EQ(this->Run({"INCR", n}).integer, 1);
  EXPECT_EQ(this->Run({"INCRBY", n, "41"}).integer, 42);
  EXPECT_EQ(this->Run({"INCRBY", n, "-50"}).integer, -8);
  this->Run({"SET", s, "abc"});
  auto error = this->Run({"INCR", s});
  ASSERT_TRUE(error.is_error());
  EXPECT_EQ(error.str, "ERR value is not an integer or out of range");
  EXPECT_EQ(this->Run({"EXISTS", n, s, n}).integer, 3);
  EXPECT_EQ(this->Run({"DEL", n, s, this->Key("missing")}).integer, 2);
  EXPECT_EQ(this->Run({"UNLINK", n}).integer, 0);
}

TYPED_TEST_P(RedisContract, SortedSetOrderScoresAndTies) {
  const auto z = this->Key("z");
  auto first = this->Run({"ZINCRBY", z, "2", "m1"});
  EXPECT_EQ(first.type, Type::kString);
  EXPECT_EQ(first.str, "2");
  EXPECT_EQ(this->Run({"ZINCRBY", z, "1.5", "m2"}).str, "1.5");
  EXPECT_EQ(this->Run({"ZINCRBY", z, "2", "m3"}).str, "2");
  EXPECT_EQ(this->Run({"ZADD", z, "3", "m4", "0.5", "m5"}).integer, 2);
  EXPECT_EQ(this->Run({"ZINCRBY", z, "1", "m4"}).str, "4");
  // Ties (m1, m3 at 2) come in member order, reversed by ZREVRANGE.
  EXPECT_EQ(this->Strings(this->Run({"ZREVRANGE", z, "0", "-1", "WITHSCORES"})),
            (std::vector<std::string>{"m4", "4", "m3", "2", "m1", "2", "m2", "1.5", "m5", "0.5"}));
  EXPECT_EQ(this->Strings(this->Run({"ZRANGE", z, "0", "2"})), (std::vector<std::string>{"m5", "m2", "m1"}));
  EXPECT_EQ(this->Strings(this->Run({"ZREVRANGE", z, "1", "1"})), (std::vector<std::string>{"m3"}));
  EXPECT_TRUE(this->Strings(this->Run({"ZRANGE", z, "10", "20"})).empty());
  EXPECT_EQ(this->Run({"ZSCORE", z, "m2"}).str, "1.5");
  EXPECT_TRUE(this->Run({"ZSCORE", z, "nope"}).is_nil());
  EXPECT_EQ(this->Run({"ZCARD", z}).integer, 5);
  EXPECT_EQ(this->Run({"ZREM", z, "m4", "nope"}).integer, 1);
  EXPECT_EQ(this->Run({"ZREMRANGEBYRANK", z, "0", "1"}).integer, 2);  // the two lowest: m5, m2
  EXPECT_EQ(this->Strings(this->Run({"ZRANGE", z, "0", "-1"})), (std::vector<std::string>{"m1", "m3"}));
  EXPECT_EQ(this->Run({"ZCARD", this->Key("none")}).integer, 0);
  EXPECT_TRUE(this->Run({"ZADD", z, "notanumber", "m"}).is_error());
}

TYPED_TEST_P(RedisContract, SortedSetUnionWithWeights) {
  const auto a = this->Key("a"), b = this->Key("b"), s = this->Key("s"), dest = this->Key("dest");
  this->Run({"ZADD", a, "1", "m1", "2", "m2"});
  this->Run({"ZADD", b, "4", "m2", "-8", "m3"});
  this->Run({"SADD", s, "m1", "m4"});  // a plain set counts with score 1
  this->Run({"SET", dest, "old", "EX", "100"});
  EXPECT_EQ(
      this->Run({"ZUNIONSTORE", dest, "4", a, b, s, this->Key("missing"), "WEIGHTS", "2", "0.5", "0.25", "7"})
          .integer,
      4);
  EXPECT_EQ(this->Strings(this->Run({"ZREVRANGE", dest, "0", "-1", "WITHSCORES"})),
            (std::vector<std::string>{"m2", "6", "m1", "2.25", "m4", "0.25", "m3", "-4"}));
  EXPECT_EQ(this->Run({"TTL", dest}).integer, -1);  // the destination is replaced, TTL and all
  EXPECT_EQ(this->Run({"ZUNIONSTORE", dest, "2", a, b, "AGGREGATE", "MAX"}).integer, 3);
  EXPECT_EQ(this->Strings(this->Run({"ZRANGE", dest, "0", "-1", "WITHSCORES"})),
            (std::vector<std::string>{"m3", "-8", "m1", "1", "m2", "4"}));
  EXPECT_EQ(this->Run({"ZUNIONSTORE", dest, "1", a}).integer, 2);  // no WEIGHTS: all 1
  EXPECT_EQ(this->Run({"ZSCORE", dest, "m2"}).str, "2");
  // An empty union deletes the destination.
  EXPECT_EQ(this->Run({"ZUNIONSTORE", dest, "1", this->Key("missing")}).integer, 0);
  EXPECT_EQ(this->Run({"EXISTS", dest}).integer, 0);

  this->Run({"SET", this->Key("str"), "x"});
  auto wrong = this->Run({"ZUNIONSTORE", dest, "2", a, this->Key("str")});
  ASSERT_TRUE(wrong.is_error());
  EXPECT_EQ(wrong.str.rfind("WRONGTYPE", 0), 0u) << wrong.str;
  EXPECT_EQ(this->Run({"ZUNIONSTORE", dest, "2", a, b, "WEIGHTS", "1", "x"}).str,
            "ERR weight value is not a float");
  EXPECT_TRUE(this->Run({"ZUNIONSTORE", dest, "2", a, b, "WEIGHTS", "1"}).is_error());
  EXPECT_TRUE(this->Run({"ZUNIONSTORE", dest, "3", a, b}).is_error());
  EXPECT_TRUE(this->Run({"ZUNIONSTORE", dest, "0", a}).is_error());
  EXPECT_TRUE(this->Run({"ZUNIONSTORE", dest, "1", a, "AGGREGATE", "AVG"}).is_error());
  EXPECT_EQ(this->Run({"EXISTS", dest}).integer, 0);  // errors store nothing
}

TYPED_TEST_P(RedisContract, Hashes) {
  const auto h = this->Key("h");
  EXPECT_EQ(this->Run({"HSET", h, "f1", "v1", "f2", "v2"}).integer, 2);
  EXPECT_EQ(this->Run({"HSET", h, "f1", "x", "f3", "v3"}).integer, 1);
  EXPECT_EQ(this->Run({"HGET", h, "f1"}).str, "x");
  EXPECT_TRUE(this->Run({"HGET", h, "nope"}).is_nil());
  EXPECT_TRUE(this->Run({"HGET", this->Key("none"), "f"}).is_nil());
  EXPECT_EQ(this->Pairs(this->Run({"HGETALL", h})),
            (std::map<std::string, std::string>{{"f1", "x"}, {"f2", "v2"}, {"f3", "v3"}}));
  EXPECT_EQ(this->Run({"HDEL", h, "f1", "nope"}).integer, 1);
  EXPECT_TRUE(this->Run({"HGETALL", this->Key("none")}).elements.empty());
  EXPECT_TRUE(this->Run({"HSET", h, "odd"}).is_error());
}

TYPED_TEST_P(RedisContract, SetsAndLists) {
  const auto s = this->Key("s"), l = this->Key("l");
  EXPECT_EQ(this->Run({"SADD", s, "a", "b", "a"}).integer, 2);
  EXPECT_EQ(this->Run({"SISMEMBER", s, "a"}).integer, 1);
  EXPECT_EQ(this->Run({"SISMEMBER", s, "z"}).integer, 0);
  auto members = this->Strings(this->Run({"SMEMBERS", s}));
  EXPECT_EQ(std::set<std::string>(members.begin(), members.end()), (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(this->Run({"SREM", s, "a", "b"}).integer, 2);
  EXPECT_EQ(this->Run({"EXISTS", s}).integer, 0);  // an emptied collection disappears

  EXPECT_EQ(this->Run({"LPUSH", l, "1", "2", "3"}).integer, 3);
  EXPECT_EQ(this->Run({"LPUSH", l, "4"}).integer, 4);
  EXPECT_EQ(this->Strings(this->Run({"LRANGE", l, "0", "-1"})),
            (std::vector<std::string>{"4", "3", "2", "1"}));
  EXPECT_EQ(this->Run({"LTRIM", l, "0", "1"}).str, "OK");
  EXPECT_EQ(this->Strings(this->Run({"LRANGE", l, "0", "10"})), (std::vector<std::string>{"4", "3"}));
  EXPECT_EQ(this->Strings(this->Run({"LRANGE", l, "-1", "-1"})), (std::vector<std::string>{"3"}));
}

TYPED_TEST_P(RedisContract, WrongTypeIsAnErrorReply) {
  const auto k = this->Key("k"), h = this->Key("h");
  this->Run({"SET", k, "v"});
  this->Run({"HSET", h, "f", "v"});
  for (const auto& command : std::vector<RedisCommand>{{"LPUSH", k, "x"},
                                                       {"HGET", k, "f"},
                                                       {"ZADD", k, "1", "m"},
                                                       {"ZREVRANGE", k, "0", "-1"},
                                                       {"SADD", k, "m"},
                                                       {"GET", h},
                                                       {"INCR", h}}) {
    auto reply = this->Run(command);
    ASSERT_TRUE(reply.is_error()) << command[0];
    EXPECT_EQ(reply.str.rfind("WRONGTYPE", 0), 0u) << reply.str;
  }
  EXPECT_EQ(this->Run({"GET", k}).str, "v");  // an error changes nothing
  auto unknown = this->Run({"NOSUCHCOMMAND", k});
  ASSERT_TRUE(unknown.is_error());
  EXPECT_EQ(unknown.str.rfind("ERR unknown command", 0), 0u) << unknown.str;
}

TYPED_TEST_P(RedisContract, PipelineRepliesInOrder) {
  const auto a = this->Key("a"), h = this->Key("h"), z = this->Key("z");
  auto replies = this->backend_.client().Pipeline({{"SET", a, "1"},
                                                   {"INCR", a},
                                                   {"HSET", h, "f", "v"},
                                                   {"INCR", h},  // WRONGTYPE in the middle
                                                   {"GET", a},
                                                   {"GET", this->Key("missing")},
                                                   {"ZADD", z, "1", "m"},
                                                   {"ZREVRANGE", z, "0", "-1", "WITHSCORES"},
                                                   {"PING"}});
  ASSERT_EQ(replies.size(), 9u);
  EXPECT_EQ(replies[0].str, "OK");
  EXPECT_EQ(replies[1].integer, 2);
  EXPECT_EQ(replies[2].integer, 1);
  EXPECT_TRUE(replies[3].is_error());
  EXPECT_EQ(replies[4].type, Type::kString);
  EXPECT_EQ(replies[4].str, "2");
  EXPECT_TRUE(replies[5].is_nil());
  EXPECT_EQ(replies[6].integer, 1);
  EXPECT_EQ(this->Strings(replies[7]), (std::vector<std::string>{"m", "1"}));
  EXPECT_EQ(replies[8].type, Type::kStatus);
  EXPECT_EQ(replies[8].str, "PONG");
  EXPECT_TRUE(this->backend_.client().Pipeline({}).empty());
}

TYPED_TEST_P(RedisContract, LargePipeline) {
  const auto n = this->Key("n");
  std::vector<RedisCommand> commands(2000, RedisCommand{"INCR", n});
  auto replies = this->backend_.client().Pipeline(commands);
  ASSERT_EQ(replies.size(), 2000u);
  for (std::size_t i = 0; i < replies.size(); ++i)
    ASSERT_EQ(replies[i].integer, static_cast<std::int64_t>(i + 1));
  EXPECT_NO_THROW(this->backend_.client().Ping());
}

REGISTER_TYPED_TEST_SUITE_P(RedisContract, StringsAreBinarySafe, SetConditions, KeysExpire,
                            CountersAndDeletes, SortedSetOrderScoresAndTies, SortedSetUnionWithWeights,
                            Hashes, SetsAndLists, WrongTypeIsAnErrorReply, PipelineRepliesInOrder,
                            LargePipeline);

}  // namespace cinerec
