// Staff login and logout: the same for agents and editors. Logins run on a
// pool of their own (Argon2id is slow on purpose), draw on a per-client
// rate limit, and back off per account (staff/staff_service.h).
#include "native_server/routes/services.h"
#include "native_server/staff/staff_service.h"

namespace firstfix::server {
namespace {

Response reply(const Call& c, const LoginReply& r) {
  auto res = json_response(c.req, r.status, r.body);
  if (!r.set_cookie.empty()) res.set(http::field::set_cookie, r.set_cookie);
  if (r.retry_after_s > 0) res.set(http::field::retry_after, std::to_string(r.retry_after_s));
  return res;
}

}  // namespace

void add_staff_routes(Router& router, const Services& s) {
  StaffService& staff = s.staff;
  const bool secure = s.secure_cookies;
  router.add({.method = http::verb::post, .path = "/agent/login", .operation_id = "staffLogin",
              .handler = [&staff, secure](Call& c) { return reply(c, staff.login(c.body, secure || c.forwarded_https())); },
              .runs = Runs::login, .body = Body::json, .body_limit = 4096, .rate_limit = "login"});
  router.add({.method = http::verb::post, .path = "/agent/logout", .operation_id = "staffLogout",
              .handler = [&staff, secure](Call& c) { return reply(c, staff.logout(c.header(http::field::cookie), secure || c.forwarded_https())); },
              .runs = Runs::flows, .body = Body::json, .body_limit = 4096});
}

}  // namespace firstfix::server
