#pragma once
// Bulk mode of the StoreWriter: for a large load, the secondary indexes and the foreign keys of views and
// reactions are dropped before the first interaction and rebuilt once at the end. Checking two foreign keys
// row by row cost more than the insert itself, and three indexes maintained row by row (two of them in
// random order) outgrow the buffer cache; one CREATE INDEX per index and one validating join per foreign
// key are much cheaper. The primary keys and unique keys stay: they are the upsert keys of a re-run.
//
// Safety: the drop is one transaction. Should the load die before the rebuild, the objects stay missing
// until the next `cinerec import`, `cinerec generate` or `cinerec migrate`, which restores them first
// (RestoreDeferred: each missing object is created again from the definition in
// migrations/postgres/0003_activity.sql). Objects whose definition in the database differs from the one below
// (a later migration changed them) are never dropped: bulk mode is then off.
#include <string>
#include <vector>

namespace cinerec {
class PgConnection;
}

namespace cinerec::ingest {

// Drops the deferred indexes and foreign keys in one transaction (waiting at most a few seconds for the
// table locks). Returns false, having dropped nothing, when the lock wait timed out or a definition differs
// from the one RestoreDeferred would recreate.
bool DropDeferred(PgConnection& conn);

// Creates whatever deferred object is missing (indexes first, spread over the connections and built in
// parallel; then the foreign keys, NOT VALID and then validated). Returns the names created; cheap (one
// catalog query) when nothing is missing. A foreign key to users that fails validation because a user was
// deleted during the load gets the orphan rows deleted, as its ON DELETE CASCADE would have done; any other
// failure throws, leaving that constraint NOT VALID (enforced for new rows) and the message naming it.
// REQUIRES: at least one connection, each used by this call alone.
std::vector<std::string> RestoreDeferred(const std::vector<PgConnection*>& connections);

}  // namespace cinerec::ingest
