#pragma once
// What integration tests need from their surroundings: the test stack's configuration (exported by
// `make test` from .local/test/env.sh), unique names that keep parallel tests apart in the stores, and
// control over the stack's servers for fault tests.
#include <string>

#include "common/config.h"

namespace cinerec::testing {

// The configuration of the test stack from the CINEREC_* environment. Fails the calling test (ADD_FAILURE +
// exception) with instructions when the environment is not set: integration tests never silently pass.
Config StackConfig();

// A short name unique to this test process and call, e.g. "t4821x3": for databases, key prefixes, buckets.
std::string UniqueName();

// StackConfig() with its own PostgreSQL database (created from a migrated template), ClickHouse database,
// Redis key prefix and S3 bucket, all migrated: a test that uses it shares nothing with other tests.
Config IsolatedConfig();

// Stops / starts one server of the test stack: "postgres", "redis", "clickhouse" or "s3".
// Only for tests that run serially (the *_ftest.cpp binary).
void StopStore(const std::string& store);
void StartStore(const std::string& store);

}  // namespace cinerec::testing
