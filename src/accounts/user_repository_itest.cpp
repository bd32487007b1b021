// The UserRepository contract on PostgreSQL (an isolated, migrated database per test).
#include "accounts/pg_user_repository.h"
#include "accounts/user_repository_contract.h"
#include "app/stores.h"
#include "support/test_env.h"

namespace cinerec::accounts {
namespace {

struct PostgresBackend {
  Config config = testing::IsolatedConfig();
  Stores stores = Stores::Connect(config);
  PgUserRepository users{*stores.postgres};
  UserRepository& repository() { return users; }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Postgres, UserRepositoryContract, ::testing::Types<PostgresBackend>);

}  // namespace
}  // namespace cinerec::accounts
