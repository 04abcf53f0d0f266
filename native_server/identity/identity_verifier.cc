#include "native_server/identity/identity_verifier.h"

#include <jwt.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <memory>
#include <stdexcept>

#include "native_server/base/crypto.h"
#include "native_server/base/json_fields.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

constexpr size_t kMaxClaim = 200;
constexpr size_t kMaxToken = 4096;

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

bool plausible_email(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && at + 1 < s.size() && s.find_first_of(" \t\r\n<>,;") == std::string::npos;
}

// A text claim of at most kMaxClaim bytes of valid UTF-8, or "".
std::string claim_text(const json& body, const char* key) { return text_field(body, key, kMaxClaim, false); }

std::string grant(jwt_t* j, const char* name) {
  const char* v = jwt_get_grant(j, name);
  return v ? v : "";
}

// A numeric date grant (seconds); nullopt when absent or not a number.
std::optional<long long> date_grant(jwt_t* j, const char* name) {
  char* text = jwt_get_grants_json(j, name);
  if (!text) return std::nullopt;
  const json v = json::parse(text, nullptr, false);
  std::free(text);
  if (!v.is_number()) return std::nullopt;
  return v.get<long long>();
}

}  // namespace

IdentityVerifier::IdentityVerifier(std::vector<std::string> secrets, Clock now_ms)
    : secrets_(std::move(secrets)), now_ms_(or_system_clock(std::move(now_ms))) {}

IdentityVerifier IdentityVerifier::from_environment(Clock now_ms) {
  std::vector<std::string> secrets;
  for (const char* name : {"FIRSTFIX_IDENTITY_SECRET", "FIRSTFIX_IDENTITY_SECRET_PREVIOUS"}) {
    const char* value = std::getenv(name);
    if (!value || !*value) continue;
    if (std::string(value).size() < 32)
      throw std::runtime_error(std::string(name) + " is shorter than 32 bytes: use a random secret, e.g. `openssl rand -hex 32`");
    secrets.emplace_back(value);
  }
  return IdentityVerifier(std::move(secrets), std::move(now_ms));
}

Identity IdentityVerifier::check(const json& body) const {
  if (!body.is_object()) throw std::invalid_argument("'identity' must be an object: {\"token\"} or {\"id\", \"email\", \"name\", \"user_hash\"}");
  for (const auto& [key, value] : body.items())
    if (key != "token" && key != "id" && key != "email" && key != "name" && key != "user_hash")
      throw std::invalid_argument("unknown identity field '" + key + "' (expected token, or id, email, name, user_hash)");
  if (body.contains("token")) {
    if (body.size() != 1) throw std::invalid_argument("an identity with a token carries nothing else: the token says who it is");
    const std::string token = text_field(body, "token", kMaxToken, true);
    return check_token(token);
  }
  Identity out;
  const std::string id = claim_text(body, "id"), email = claim_text(body, "email"), name = claim_text(body, "name");
  const std::string hash = text_field(body, "user_hash", 128, false);
  out.claimed = json{{"id", id}, {"email", email}, {"name", name}};
  if (hash.empty()) return out;
  if (!enabled()) {
    out.problem = "this server does not verify identities (FIRSTFIX_IDENTITY_SECRET is not set)";
    return out;
  }
  if (id.empty()) {
    out.problem = "user_hash signs the id, and no id was given";
    return out;
  }
  std::string lower = hash;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& secret : secrets_)
    if (equal_secrets(lower, hmac_sha256_hex(secret, id))) {
      out.verified = json{{"id", id}, {"verified_by", "hmac"}};
      out.claimed = json{{"email", email}, {"name", name}};  // the hash does not cover these
      return out;
    }
  out.problem = "user_hash does not match the id: sign the id with the shared secret (hex HMAC-SHA256)";
  return out;
}

Identity IdentityVerifier::check_token(const std::string& token) const {
  Identity out;
  if (!enabled()) {
    out.problem = "this server does not verify identities (FIRSTFIX_IDENTITY_SECRET is not set)";
    return out;
  }
  JwtPtr decoded;
  for (const auto& secret : secrets_) {
    jwt_t* j = nullptr;
    if (jwt_decode(&j, token.c_str(), reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size())) == 0) {
      decoded.reset(j);
      break;
    }
    jwt_free(j);
  }
  if (!decoded) {
    out.problem = "the identity token's signature does not verify (HS256 with the shared secret)";
    return out;
  }
  // Never let the token choose how it is checked ("alg": "none", or another algorithm).
  if (jwt_get_alg(decoded.get()) != JWT_ALG_HS256) {
    out.problem = "the identity token must be signed with HS256";
    return out;
  }
  const long long now = now_ms_() / 1000;
  const auto exp = date_grant(decoded.get(), "exp"), iat = date_grant(decoded.get(), "iat"), nbf = date_grant(decoded.get(), "nbf");
  if (!exp) out.problem = "the identity token has no expiry ('exp')";
  else if (*exp + kClockSkew.count() < now) out.problem = "the identity token expired " + std::to_string(now - *exp) + " s ago";
  else if (*exp - now > kMaxLifetime.count()) out.problem = "the identity token expires more than 24 hours ahead: make short-lived tokens";
  else if (iat && *iat - kClockSkew.count() > now) out.problem = "the identity token was issued in the future ('iat')";
  else if (nbf && *nbf - kClockSkew.count() > now) out.problem = "the identity token is not valid yet ('nbf')";
  if (!out.problem.empty()) return out;
  std::string id = grant(decoded.get(), "sub");
  if (id.empty()) id = grant(decoded.get(), "external_id");
  const std::string email = grant(decoded.get(), "email"), name = grant(decoded.get(), "name");
  const json claims = {{"id", id}, {"email", email}, {"name", name}};
  try {
    for (const char* key : {"id", "email", "name"}) claim_text(claims, key);  // size and UTF-8
  } catch (const std::invalid_argument& e) {
    out.problem = std::string("the identity token's claims are not usable: ") + e.what();
    return out;
  }
  if (id.empty()) out.problem = "the identity token names no customer ('sub' or 'external_id')";
  else if (!email.empty() && !plausible_email(email)) out.problem = "the identity token's email is not an email address";
  if (!out.problem.empty()) return out;
  out.verified = json{{"id", id}, {"verified_by", "jwt"}};
  if (!email.empty()) out.verified["email"] = email;
  if (!name.empty()) out.verified["name"] = name;
  return out;
}

std::string IdentityVerifier::sign(const json& identity, std::chrono::seconds ttl) const {
  if (!enabled()) throw std::logic_error("no identity secret to sign with");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr j(raw);
  const long long now = now_ms_() / 1000;
  jwt_add_grant(j.get(), "sub", identity.value("id", "").c_str());
  for (const char* key : {"email", "name"})
    if (!identity.value(key, "").empty()) jwt_add_grant(j.get(), key, identity.value(key, "").c_str());
  jwt_add_grant_int(j.get(), "iat", now);
  jwt_add_grant_int(j.get(), "exp", now + ttl.count());
  const std::string& secret = secrets_.front();
  if (jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()), static_cast<int>(secret.size())) != 0)
    throw std::runtime_error("jwt_set_alg failed");
  char* token = jwt_encode_str(j.get());
  if (!token) throw std::runtime_error("jwt_encode_str failed");
  std::string out(token);
  std::free(token);
  return out;
}

}  // namespace firstfix::server
