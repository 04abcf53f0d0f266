#include "native_server/staff/staff_service.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "native_server/base/json_fields.h"
#include "native_server/base/crypto.h"
#include "native_server/base/log.h"
#include "native_server/base/text.h"

namespace firstfix::server {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxTrackedAccounts = 10000;
constexpr std::int64_t kFailureMemoryMs = 15LL * 60 * 1000;  // failures older than this are forgotten
constexpr std::int64_t kMaxWaitMs = 15LL * 60 * 1000;

std::string cookie_value(const std::string& header, const std::string& name) {
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string item = header.substr(at, end - at);
    item.erase(0, item.find_first_not_of(' '));
    if (item.rfind(name + "=", 0) == 0) return item.substr(name.size() + 1);
    at = end + 1;
  }
  return "";
}

std::string normalized_email(std::string email) {
  std::transform(email.begin(), email.end(), email.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return email;
}

std::string cookie(const std::string& value, std::int64_t max_age_s, bool secure) {
  return std::string(StaffService::kCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s) +
         (secure ? "; Secure" : "");
}

}  // namespace

StaffService::StaffService(StaffStore& store, Clock clock) : store_(store), now_(or_system_clock(std::move(clock))) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
  dummy_hash_ = hash_password(random_hex(16));
}

std::string StaffService::hash_password(const std::string& password) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.c_str(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("cannot hash a password (out of memory)");
  return hash;
}

std::optional<StaffSession> StaffService::session(const std::string& cookie_header) {
  const std::string token = cookie_value(cookie_header, kCookie);
  if (token.empty() || token.size() > 128) return std::nullopt;
  auto s = store_.find_agent_session(sha256_hex(token), now_());
  if (!s) return std::nullopt;
  auto a = store_.find_agent(s->agent_id);
  if (!a) return std::nullopt;
  return StaffSession{a->id, a->email, a->name, a->role, s->csrf};
}

std::int64_t StaffService::locked_for_ms(const std::string& email) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(email);
  if (it == failures_.end() || it->second.count < kFreeFailures) return 0;
  // 1 s after the fifth failure, doubling with each one after, up to 15 minutes.
  const std::int64_t wait = std::min<std::int64_t>(kMaxWaitMs, 1000LL << std::min(it->second.count - kFreeFailures, 20));
  return std::max<std::int64_t>(0, it->second.last_ms + wait - now_());
}

void StaffService::record_failure(const std::string& email) {
  std::lock_guard lock(mu_);
  const std::int64_t now = now_();
  if (failures_.size() >= kMaxTrackedAccounts)
    std::erase_if(failures_, [&](const auto& kv) { return now - kv.second.last_ms > kFailureMemoryMs; });
  if (failures_.size() >= kMaxTrackedAccounts) failures_.erase(failures_.begin());
  auto& f = failures_[email];
  if (now - f.last_ms > kFailureMemoryMs) f.count = 0;
  ++f.count;
  f.last_ms = now;
}

LoginReply StaffService::login(const json& body, bool secure) {
  std::string email, password;
  try {
    email = normalized_email(text_field(body, "email", 254));
    password = text_field(body, "password", 1024);
  } catch (const std::invalid_argument& e) {
    return {400, {{"error", e.what()}}, "", 0};
  }
  if (const std::int64_t wait = locked_for_ms(email)) {
    const std::int64_t seconds = (wait + 999) / 1000;
    return {429, {{"error", "too many failed logins for this account: try again in " + std::to_string(seconds) + " s"}, {"retry_after", seconds}},
            "", seconds};
  }
  auto agent = store_.find_agent(email);
  // The same work whether or not the email belongs to anyone: the answer's time tells nothing.
  const std::string& hash = agent ? agent->password_hash : dummy_hash_;
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.c_str(), password.size()) == 0 && agent;
  if (!ok) {
    record_failure(email);
    log::info("login_failed", {{"email_sha256", sha256_hex(email).substr(0, 16)}});
    return {401, {{"error", "wrong email or password"}}, "", 0};
  }
  {
    std::lock_guard lock(mu_);
    failures_.erase(email);
  }
  const std::string token = random_hex(32), csrf = random_hex(16);
  store_.create_agent_session({sha256_hex(token), agent->id, csrf, now_() + kSessionMs});
  log::info("login", {{"staff", agent->id}, {"role", agent->role}});
  return {200,
          {{"agent", {{"id", agent->id}, {"name", agent->name}, {"email", agent->email}, {"role", agent->role}}}, {"csrf", csrf}},
          cookie(token, kSessionMs / 1000, secure), 0};
}

LoginReply StaffService::logout(const std::string& cookie_header, bool secure) {
  const std::string token = cookie_value(cookie_header, kCookie);
  if (!token.empty()) store_.delete_agent_session(sha256_hex(token));
  return {200, {{"status", "logged out"}}, cookie("", 0, secure), 0};
}

Agent StaffService::put(const std::string& email_in, const std::string& name, const std::string& role, const std::string& password) {
  const std::string email = normalized_email(email_in);
  const auto at = email.find('@');
  if (email.size() > 254 || at == std::string::npos || at == 0 || at + 1 == email.size() || !is_valid_utf8(email) ||
      email.find_first_of(" \t\r\n;,") != std::string::npos)
    throw std::invalid_argument("email '" + printable(email_in, 80) + "' is not an email address");
  if (role != "agent" && role != "editor") throw std::invalid_argument("role '" + printable(role, 40) + "' is not agent or editor");
  if (password.size() < kMinPassword)
    throw std::invalid_argument("the password is shorter than " + std::to_string(kMinPassword) + " characters");
  if (name.size() > 200 || !is_valid_utf8(name)) throw std::invalid_argument("the name is not text of at most 200 bytes");
  auto existing = store_.find_agent(email);
  Agent a{existing ? existing->id : (role == "editor" ? "ed_" : "ag_") + random_hex(8), email, name.empty() ? email : name,
          hash_password(password), role};
  store_.upsert_agent(a);
  if (existing) store_.delete_agent_sessions(a.id);
  return a;
}

bool StaffService::remove(const std::string& email) {
  auto a = store_.find_agent(normalized_email(email));
  return a && store_.delete_agent(a->id);
}

bool StaffService::set_password(const std::string& email, const std::string& password) {
  auto a = store_.find_agent(normalized_email(email));
  if (!a) return false;
  put(a->email, a->name, a->role, password);
  return true;
}

std::vector<Agent> StaffService::list() { return store_.agents(); }

void StaffService::ensure_demo_accounts() {
  auto make = [&](const char* id, const char* email, const char* name, const std::string& password, const char* role) {
    if (store_.find_agent(email)) return;
    try {
      store_.upsert_agent({id, email, name, hash_password(password), role});
    } catch (const std::exception&) {
      // Servers starting together on one database: another one made it first.
      if (!store_.find_agent(email)) throw;
    }
  };
  make("ag_demo", "agent@brightloop.example", "Sam (demo agent)", "brightloop-agent", "agent");
  make("ed_demo", "editor@brightloop.example", "Robin (demo editor)", "brightloop-editor", "editor");
}

}  // namespace firstfix::server
