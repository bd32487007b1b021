// The UserRepository contract on the in-memory fake.
#include "accounts/in_memory_user_repository.h"
#include "accounts/user_repository_contract.h"

namespace cinerec::accounts {
namespace {

struct InMemoryBackend {
  InMemoryUserRepository fake;
  UserRepository& repository() { return fake; }
};

INSTANTIATE_TYPED_TEST_SUITE_P(InMemory, UserRepositoryContract, ::testing::Types<InMemoryBackend>);

}  // namespace
}  // namespace cinerec::accounts
