// Hex text of bytes, random ids and SHA-256 digests: the server's ids
// (sessions, conversations, uploads), keys and stored hashes all use these.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace firstfix::server {

std::string to_hex(const unsigned char* bytes, std::size_t n);
// `bytes` random bytes (at most 32) from the system's CSPRNG, as hex.
std::string random_hex(std::size_t bytes);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// A public name for a secret id (a flow session's id is its only
// credential): `prefix` + 24 hex digits of its SHA-256. The same secret
// always gives the same link; the link gives nothing back.
std::string public_link(std::string_view prefix, std::string_view secret);

}  // namespace firstfix::server

namespace firstfix::server {

// Compares secrets in time that does not depend on where they differ.
bool equal_secrets(std::string_view a, std::string_view b);
std::string base64(std::string_view bytes);

}  // namespace firstfix::server
