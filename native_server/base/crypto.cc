#include "native_server/base/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace firstfix::server {

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  unsigned char buf[32];
  if (bytes > sizeof buf) throw std::invalid_argument("random_hex: at most 32 bytes");
  if (RAND_bytes(buf, static_cast<int>(bytes)) != 1) throw std::runtime_error("no randomness available");
  return to_hex(buf, bytes);
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr);
  return to_hex(digest, n);
}

}  // namespace firstfix::server

namespace firstfix::server {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return to_hex(mac, length);
}

std::string public_link(std::string_view prefix, std::string_view secret) {
  return std::string(prefix) + sha256_hex(secret).substr(0, 24);
}

}  // namespace firstfix::server

#include <openssl/crypto.h>

namespace firstfix::server {

bool equal_secrets(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace firstfix::server
