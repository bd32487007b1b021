#pragma once
// Session tokens: opaque random bearer tokens, and the digest under which the stores keep them. The token
// itself is never stored or logged; only TokenDigest(token) is.
#include <string>

namespace cinerec::accounts {

// 32 random bytes from OpenSSL's CSPRNG, base64url without padding (43 characters).
std::string NewSessionToken();
// SHA-256 of the token: 32 raw bytes (the PostgreSQL key) ...
std::string TokenDigest(const std::string& token);
// ... and the same digest as 64 lower-case hex digits (the Redis key part and the logged session id).
std::string HexDigest(const std::string& raw_digest);
// The inverse of HexDigest; empty for malformed input.
std::string DigestFromHex(const std::string& hex);

}  // namespace cinerec::accounts
