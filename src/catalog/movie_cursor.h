#pragma once
// The opaque `cursor` of GET /v1/movies: base64url (no padding) of "m1:<last id>". Opaque so that clients
// don't build it, versioned so that the key can change (e.g. to rank + id) without misreading old cursors.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cinerec::catalog {

std::string EncodeCursor(std::int64_t last_id);
// nullopt for anything EncodeCursor did not produce.
std::optional<std::int64_t> DecodeCursor(std::string_view cursor);

}  // namespace cinerec::catalog
