#pragma once
// The typed configuration of every cinerec process.
//
// Precedence: defaults in this header < the TOML file given with --config < environment variables.
// Every key has a TOML path ("postgres.url") and an environment name (CINEREC_POSTGRES_URL); the table of
// keys lives in config.cpp and is the single place to add one. Invalid values fail at start-up with a
// ConfigError naming the key and the reason. Secrets (passwords, S3 secret key, admin API keys) are never
// printed: Describe() redacts them.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cinerec {

struct HttpConfig {
  std::string addr = "127.0.0.1:8080";              // host:port to listen on
  int io_threads = 0;                               // Asio event-loop threads (never block); 0 = one per core
  int worker_threads = 8;                           // bounded pool for handlers that call the stores
  std::size_t max_body_bytes = 1 << 20;             // larger bodies get 413
  std::chrono::milliseconds read_timeout{10000};    // whole request must arrive within this
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive connection closed after this idle time
  std::chrono::milliseconds shutdown_grace{20000};  // in-flight requests get this long on SIGTERM
  std::size_t max_queued_requests = 4096;           // worker-pool queue bound; beyond it 503
  bool access_log = true;                           // one log line per request
  std::string docs_assets_dir;  // swagger-ui-dist folder (web/node_modules/...) for GET /docs; empty = none
};

struct PostgresConfig {
  std::string url = "postgresql://postgres@127.0.0.1:5432/cinerec";
  std::string replica_url;  // optional read replica; empty = use url
  int pool_size = 8;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds statement_timeout{5000};
};

struct RedisConfig {
  std::string url = "redis://127.0.0.1:6379/0";
  int pool_size = 8;
  std::chrono::milliseconds timeout{500};
  std::string key_prefix = "cinerec:";
  // The in-process layer in front of Redis for the API's hot reads (sessions; each viewer's cached list and
  // recent activity), kept exact by Redis client tracking (docs/recommendations.md, "In-process layer").
  std::chrono::milliseconds near_cache_ttl{300000};  // 0 = off; a bound on staleness should tracking fail
  std::int64_t near_cache_mb = 1024;                 // cached lists; sessions take at most 1/16 of this
};

struct ClickHouseConfig {
  std::string url = "http://127.0.0.1:8123";
  std::string database = "cinerec";
  std::string user = "default";
  std::string password;
  std::chrono::milliseconds timeout{10000};
  // Flush an insert batch at this many rows... (ClickHouse takes large inserts far better than many small
  // ones: each insert makes a part per partition, merged later; 50,000 doubled the event sink's rate.)
  std::size_t batch_rows = 50000;
  std::chrono::milliseconds flush_interval{1000};  // ...or after this long, whichever comes first
};

struct S3Config {
  std::string endpoint = "http://127.0.0.1:9000";
  std::string region = "us-east-1";
  std::string bucket = "cinerec";
  std::string access_key;
  std::string secret_key;
  std::chrono::milliseconds timeout{30000};
  std::size_t multipart_threshold = 16u << 20;  // objects larger than this are uploaded in parts
  std::size_t part_size = 8u << 20;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error
  std::string format = "text";  // text or json
};

struct AccountsConfig {
  std::int64_t session_ttl_s = 30LL * 24 * 3600;  // sliding idle lifetime of a session
  int login_max_failures = 10;                    // failed sign-ins per account / address per window...
  std::int64_t login_window_s = 15 * 60;          // ...before 429 until the window ends
  int argon2_memory_kib = 19 * 1024;              // Argon2id cost (OWASP minimum); lower only in tests
  int argon2_time_cost = 2;
};

// The recommendation service (GET /v1/users/{id}/recommendations, /v1/movies/{id}/similar); see
// docs/recommendations.md.
struct RecommendConfig {
  std::int64_t cache_ttl_s = 3600;              // a cached candidate list lives this long in Redis
  int candidates = 300;                         // length of the cached (unfiltered) candidate list
  int history_views = 500;                      // newest watch sessions read on a cache miss
  std::chrono::milliseconds model_poll{60000};  // how often models/LATEST is checked
  std::string model_cache_dir = "data/models";  // local copy of the loaded models (restart with S3 down)
  std::string variants = "default:100:LATEST";  // experiments: name:share:model[:rules], comma-separated
};

// The collection service (POST /v1/events) and its spool; see docs/events.md.
struct CollectConfig {
  std::string spool_dir = "data/spool";          // local write-ahead log of acknowledged events
  std::int64_t spool_max_bytes = 2LL << 30;      // beyond this POST /v1/events answers 503 + Retry-After
  bool spool_sync = true;                        // fdatasync before acknowledging (false only for benchmarks)
  std::size_t max_batch_events = 1000;           // events per POST (more: 413)
  std::int64_t max_future_skew_s = 300;          // event timestamps later than now + this are rejected
  std::int64_t max_event_age_s = 7 * 24 * 3600;  // ... and older than now - this
  double completion_threshold = 0.9;             // a view is completed past this share of the movie's length
  std::size_t postgres_batch_events = 5000;      // events per PostgreSQL upsert round
  double viewer_events_per_s = 50;               // per-viewer rate limit (burst: 10 s worth); 0 = none
  double client_events_per_s = 0;                // per admin key / admin user; 0 = none
  std::int64_t trending_bucket_ttl_s = 8 * 24 * 3600;  // hourly popularity buckets live this long
};

// The analytics service (GET /v1/analytics/...), its dimension sync, retention and history export; see
// docs/analytics.md.
struct AnalyticsConfig {
  int max_range_days = 400;                      // a report's [from, to) may span at most this many days
  std::int64_t conversion_window_s = 24 * 3600;  // impression/trailer -> click/watch counts within this
  std::int64_t search_window_s = 30 * 60;        // search -> click -> watch counts within this
  int raw_retention_days = 395;                  // raw event partitions older than this are dropped; 0 = keep
  std::int64_t retention_interval_s = 6 * 3600;  // how often serve runs the retention job
  std::int64_t dimension_sync_interval_s = 30;   // users_dim / movies_dim / account_events: changed rows
  std::int64_t dimension_full_refresh_s = 3600;  // ... and every row, this often
  bool export_daily = false;                     // serve exports yesterday's history to S3 once a day
  std::int64_t rollup_interval_s = 3600;  // how often serve seals closed days into the daily rollups; 0 = off
  std::int64_t rollup_lateness_s = 6 * 3600;  // a day is sealed this long after its end + conversion window
};

struct Config {
  HttpConfig http;
  PostgresConfig postgres;
  RedisConfig redis;
  ClickHouseConfig clickhouse;
  S3Config s3;
  LogConfig log;
  AccountsConfig accounts;
  RecommendConfig recommend;
  CollectConfig collect;
  AnalyticsConfig analytics;
  std::vector<std::string> admin_api_keys;   // static bearer tokens for machines with the admin role
  std::vector<std::string> roles = {"all"};  // which services `serve` runs

  // Defaults, then `toml_path` if non-empty, then the environment. Throws ConfigError.
  static Config Load(const std::string& toml_path, const std::map<std::string, std::string>& env);
  // Same, reading the process environment.
  static Config Load(const std::string& toml_path);

  // "key = value" lines for every key, secrets shown as "***".
  std::string Describe() const;
  // {"CINEREC_POSTGRES_URL", value} for every key, secrets included: to hand this config to a child process.
  std::vector<std::pair<std::string, std::string>> ToEnvironment() const;
};

// Splits "host:port"; throws ConfigError naming `key` when malformed.
std::pair<std::string, std::uint16_t> ParseHostPort(const std::string& key, const std::string& value);

// "postgresql://u:secret@h/db" -> "postgresql://u:***@h/db": for logging connection strings.
std::string RedactUrl(const std::string& url);

}  // namespace cinerec
