// Staff who log in: agents (the console) and editors (the reports). Their
// accounts are made with `firstfix staff add` (or by `serve --demo`), never
// with a password anyone has read in a README.
//
// Logging in is the one place a stranger can make the server do expensive
// work (Argon2id) on purpose. So: the same work for an email nobody has, a
// growing wait per account after repeated failures (whether or not the
// account exists, so the wait tells nothing), and, in the route table, a
// per-client rate limit and a pool of its own, so a flood of logins never
// delays a flow, a chat or a search.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "native_server/base/clock.h"
#include "native_server/http/router.h"
#include "native_server/storage/store.h"

namespace firstfix::server {

struct LoginReply {
  unsigned status = 200;
  nlohmann::json body;
  std::string set_cookie;
  std::int64_t retry_after_s = 0;  // with 429
};

class StaffService {
 public:
  explicit StaffService(StaffStore& store, Clock clock = {});

  static constexpr const char* kCookie = "ff_agent";
  static constexpr std::int64_t kSessionMs = 12LL * 3600 * 1000;
  static constexpr int kFreeFailures = 5;  // per account, before waits begin

  // The signed-in staff member a Cookie header carries, if any.
  std::optional<StaffSession> session(const std::string& cookie_header);
  // POST /agent/login {email, password}. `secure`: the cookie is only sent over HTTPS.
  LoginReply login(const nlohmann::json& body, bool secure);
  LoginReply logout(const std::string& cookie_header, bool secure);

  // Accounts, for `firstfix staff` and `serve --demo`.
  static std::string hash_password(const std::string& password);  // Argon2id; throws when out of memory
  // Adds or replaces the account for `email`; throws std::invalid_argument naming a bad field.
  Agent put(const std::string& email, const std::string& name, const std::string& role, const std::string& password);
  bool remove(const std::string& email);
  // Sets a new password and ends every session of the account; false if there is no such account.
  bool set_password(const std::string& email, const std::string& password);
  std::vector<Agent> list();
  // The demo agent and editor of the README, for `serve --demo` only.
  void ensure_demo_accounts();

  static constexpr std::size_t kMinPassword = 12;

 private:
  std::int64_t locked_for_ms(const std::string& email);
  void record_failure(const std::string& email);
  StaffStore& store_;
  Clock now_;
  std::string dummy_hash_;  // verified against when the email is unknown: the same work either way
  std::mutex mu_;
  struct Failures {
    int count = 0;
    std::int64_t last_ms = 0;
  };
  std::map<std::string, Failures> failures_;  // by normalized email; bounded (record_failure)
};

}  // namespace firstfix::server
