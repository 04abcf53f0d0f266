// The customer a host site vouches for. A browser's `identify` is only a
// claim; the host site signs what it knows with a secret it shares with
// this server, and the server verifies the signature before any flow uses
// the identity. Two forms, as the helpdesks that embed a messenger offer:
//
//   {"token": "<JWT>"}  HS256, claims sub (or external_id), email, name,
//                       exp (required, at most 24 h ahead), iat, nbf:
//                       everything in it is verified (Zendesk messaging,
//                       Intercom's JWT mode).
//   {"id", "email", "name", "user_hash"}  user_hash = hex HMAC-SHA256 of
//                       the id (Intercom's classic identity verification):
//                       only the id is verified; email and name stay claims.
//
// Secrets come from the environment: FIRSTFIX_IDENTITY_SECRET, and
// FIRSTFIX_IDENTITY_SECRET_PREVIOUS while rotating to a new one.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "native_server/base/clock.h"

namespace firstfix::server {

struct Identity {
  nlohmann::json verified;  // {"id", "email"?, "name"?, "verified_by": "jwt" | "hmac"}, or null
  nlohmann::json claimed;   // what the browser said that no signature covers ({"id", "email", "name"}), or null
  std::string problem;      // why a signature that was given was refused; "" if none was given or it verified
};

class IdentityVerifier {
 public:
  // No secrets: verification is off, and every signature is refused with that reason.
  explicit IdentityVerifier(std::vector<std::string> secrets = {}, Clock now_ms = {});
  // From FIRSTFIX_IDENTITY_SECRET(_PREVIOUS); throws std::runtime_error on a secret shorter than 32 bytes.
  static IdentityVerifier from_environment(Clock now_ms = {});

  bool enabled() const { return !secrets_.empty(); }

  // Reads an identity as the widget sends it. Throws std::invalid_argument
  // on a malformed shape (a 400); a wrong, expired or unverifiable
  // signature is reported in `problem`.
  Identity check(const nlohmann::json& body) const;

  // A JWT for `identity` ({"id", "email", "name"}) that expires after `ttl`:
  // what a host site's back end makes (the demo site signs its customer).
  std::string sign(const nlohmann::json& identity, std::chrono::seconds ttl) const;

  static constexpr std::chrono::seconds kMaxLifetime{24 * 3600};
  static constexpr std::chrono::seconds kClockSkew{60};

 private:
  Identity check_token(const std::string& token) const;
  std::vector<std::string> secrets_;
  Clock now_ms_;
};

}  // namespace firstfix::server
