#include "core/text/luhn.h"
#include "native_server/demo/back_office.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "native_server/base/crypto.h"
#include "native_server/storage/sqlite_schema.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
namespace chr = std::chrono;

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kCodeLifetime = 15 * kMinute;
constexpr std::int64_t kVerifiedLifetime = 30 * kMinute;
constexpr int kCodeAttempts = 5;
constexpr int kReturnDays = 30;
constexpr int kBookingDays = 90;

const std::vector<std::string> kMigrations = {
    R"(CREATE TABLE customers (
         id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, locale TEXT NOT NULL,
         password_hash TEXT NOT NULL,
         billing_line1 TEXT NOT NULL, billing_city TEXT NOT NULL, billing_postcode TEXT NOT NULL, billing_country TEXT NOT NULL);
       CREATE TABLE payment_methods (
         customer_id TEXT PRIMARY KEY REFERENCES customers(id), brand TEXT NOT NULL, last4 TEXT NOT NULL,
         expiry TEXT NOT NULL, holder TEXT NOT NULL);
       CREATE TABLE orders (
         id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), status TEXT NOT NULL,
         placed_on TEXT NOT NULL, delivered_on TEXT, carrier TEXT, tracking TEXT, eta TEXT,
         item TEXT NOT NULL, variant TEXT NOT NULL, total_cents INTEGER NOT NULL,
         ship_line1 TEXT NOT NULL, ship_city TEXT NOT NULL, ship_postcode TEXT NOT NULL, ship_country TEXT NOT NULL);
       CREATE TABLE returns (
         id TEXT PRIMARY KEY, order_id TEXT NOT NULL UNIQUE REFERENCES orders(id), reason TEXT NOT NULL,
         resolution TEXT NOT NULL, new_variant TEXT, refund_cents INTEGER NOT NULL, created_on TEXT NOT NULL);
       CREATE TABLE appointments (
         id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), service TEXT NOT NULL,
         location TEXT NOT NULL, date TEXT NOT NULL, time TEXT NOT NULL, UNIQUE (location, date, time));
       CREATE TABLE subscriptions (
         id TEXT PRIMARY KEY, customer_id TEXT NOT NULL REFERENCES customers(id), plan TEXT NOT NULL,
         status TEXT NOT NULL, next_renewal TEXT NOT NULL, paused_until TEXT, cancel_reason TEXT, ends_on TEXT);
       CREATE TABLE verification_codes (
         id INTEGER PRIMARY KEY, email TEXT NOT NULL, code TEXT NOT NULL, created_ms INTEGER NOT NULL,
         expires_ms INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, verified_ms INTEGER, used_ms INTEGER);
       CREATE TABLE outbox (
         id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, to_addr TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL);
       CREATE TABLE processed (
         key TEXT PRIMARY KEY, operation TEXT NOT NULL, outcome TEXT NOT NULL, data TEXT NOT NULL, at_ms INTEGER NOT NULL);)",
    "ALTER TABLE returns ADD COLUMN photo TEXT;",  // an upload id: the photo of a fault
    // What the card was charged, when it differs from the order's total (a billing error), and credits given back.
    R"(ALTER TABLE orders ADD COLUMN charged_cents INTEGER;
       CREATE TABLE credits (
         id TEXT PRIMARY KEY, order_id TEXT NOT NULL UNIQUE REFERENCES orders(id), cents INTEGER NOT NULL, created_on TEXT NOT NULL);)",
};

// Instant refunds of an overcharge are capped by policy; above it, a person reviews the rest.
constexpr std::int64_t kInstantRefundCapCents = 5000;

// Days since 1970-01-01 <-> "YYYY-MM-DD".
std::string iso_date(std::int64_t day) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{day}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::int64_t day_of(const std::string& iso) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) throw ConnectorError("malformed date '" + iso + "'");
  const chr::year_month_day ymd{chr::year{y}, chr::month{m}, chr::day{d}};
  if (!ymd.ok()) throw ConnectorError("malformed date '" + iso + "'");
  return chr::sys_days{ymd}.time_since_epoch().count();
}

unsigned weekday(std::int64_t day) { return chr::weekday{chr::sys_days{chr::days{day}}}.c_encoding(); }  // 0 = Sunday

std::string random_digits(int n) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, n) != 1) throw ConnectorError("no randomness available");
  std::string out;
  for (int i = 0; i < n; ++i) out += static_cast<char>('0' + bytes[i] % 10);
  return out;
}

std::string password_hash(const std::string& password) {
  unsigned char salt[16], key[32];
  if (RAND_bytes(salt, sizeof salt) != 1) throw ConnectorError("no randomness available");
  constexpr int kIterations = 100000;
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt, sizeof salt, kIterations, EVP_sha256(),
                    sizeof key, key);
  return "pbkdf2-sha256$" + std::to_string(kIterations) + "$" + to_hex(salt, sizeof salt) + "$" + to_hex(key, sizeof key);
}

std::string masked(const std::string& email) {
  auto at = email.find('@');
  if (at == std::string::npos || at == 0) return "***";
  return email.substr(0, 1) + "***" + email.substr(at);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string text(const json& input, const char* name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string() || it->get<std::string>().empty())
    throw ConnectorError(std::string("the action needs input '") + name + "'");
  return it->get<std::string>();
}

std::string card_brand(const std::string& digits) {
  if (digits[0] == '4') return "Visa";
  if (digits[0] == '5') return "Mastercard";
  if (digits.rfind("34", 0) == 0 || digits.rfind("37", 0) == 0) return "American Express";
  return "Card";
}

std::string money(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "€%lld.%02lld", static_cast<long long>(cents / 100), static_cast<long long>(cents % 100));
  return buf;
}

}  // namespace

struct DemoBackOffice::Impl {
  std::mutex mu;
  SQLite::Database db;
  std::function<std::int64_t()> now_ms;
  using Operation = ActionResult (Impl::*)(const json&);
  std::map<std::string, Operation> operations;

  Impl(const std::string& path, std::function<std::int64_t()> clock) : db(open_sqlite(path, kMigrations)), now_ms(std::move(clock)) {
    if (!now_ms)
      now_ms = [] { return chr::duration_cast<chr::milliseconds>(chr::system_clock::now().time_since_epoch()).count(); };
    operations = {{"send_code", &Impl::send_code},
                  {"verify_code", &Impl::verify_code},
                  {"set_password", &Impl::set_password},
                  {"track_order", &Impl::track_order},
                  {"check_return", &Impl::check_return},
                  {"create_refund", &Impl::create_refund},
                  {"create_exchange", &Impl::create_exchange},
                  {"find_appointment", &Impl::find_appointment},
                  {"reschedule_appointment", &Impl::reschedule_appointment},
                  {"update_billing_address", &Impl::update_billing_address},
                  {"update_payment_method", &Impl::update_payment_method},
                  {"find_subscription", &Impl::find_subscription},
                  {"pause_subscription", &Impl::pause_subscription},
                  {"skip_month", &Impl::skip_month},
                  {"cancel_subscription", &Impl::cancel_subscription},
                  {"change_delivery_address", &Impl::change_delivery_address},
                  {"account_subscription", &Impl::account_subscription},
                  {"change_plan", &Impl::change_plan},
                  {"order_charge", &Impl::order_charge},
                  {"refund_overcharge", &Impl::refund_overcharge}};
    if (db.execAndGet("SELECT count(*) FROM customers").getInt() == 0) seed();
  }

  std::int64_t today() const { return now_ms() / (24 * 60 * kMinute); }

  void seed() {
    SQLite::Transaction tx(db);
    const std::int64_t t = today();
    auto d = [&](int offset) { return iso_date(t + offset); };
    // Appointments fall on weekdays, so "a few days from now" is stepped past weekends.
    auto weekday_after = [&](int offset) {
      std::int64_t day = t + offset;
      while (weekday(day) == 0 || weekday(day) == 6) ++day;
      return iso_date(day);
    };
    const std::string demo_password = password_hash("brightloop-demo");
    struct Customer { const char *id, *email, *name, *locale, *line1, *city, *postcode, *country; };
    for (const Customer& c : {Customer{"C-1001", "ana@example.com", "Ana Lima", "en", "12 Harbour Road", "Lisbon", "1100-148", "PT"},
                              Customer{"C-1002", "ben@example.com", "Ben Okafor", "en", "4 Mill Lane", "Leeds", "LS1 4AP", "GB"},
                              Customer{"C-1003", "carmen@example.com", "Carmen Ruiz", "es", "Calle Mayor 8", "Madrid", "28013", "ES"},
                              Customer{"C-1004", "dev@example.com", "Dev Patel", "en", "88 King Street", "Manchester", "M2 4WU", "GB"}}) {
      SQLite::Statement q(db, "INSERT INTO customers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, c.id); q.bind(2, c.email); q.bind(3, c.name); q.bind(4, c.locale); q.bind(5, demo_password);
      q.bind(6, c.line1); q.bind(7, c.city); q.bind(8, c.postcode); q.bind(9, c.country);
      q.exec();
      SQLite::Statement p(db, "INSERT INTO payment_methods VALUES (?, 'Visa', '4242', '12/28', ?)");
      p.bind(1, c.id); p.bind(2, c.name);
      p.exec();
    }
    struct Order { const char *id, *customer, *status; int placed, delivered; const char *carrier, *tracking; int eta;
                   const char *item, *variant; int cents; const char *line1, *city, *postcode, *country; };
    const int kNone = 9999;
    for (const Order& o : {
             Order{"BL-10421", "C-1001", "delivered", -9, -5, "ParcelNow", "PN4471902", kNone, "Brightloop Thermostat T2", "white", 19900, "12 Harbour Road", "Lisbon", "1100-148", "PT"},
             Order{"BL-10422", "C-1001", "in_transit", -2, kNone, "ParcelNow", "PN4488310", 2, "Indoor Camera C1", "white", 6900, "12 Harbour Road", "Lisbon", "1100-148", "PT"},
             Order{"BL-10423", "C-1002", "processing", 0, kNone, nullptr, nullptr, 4, "Brightloop Hub 2", "black", 8900, "4 Mill Lane", "Leeds", "LS1 4AP", "GB"},
             Order{"BL-10424", "C-1002", "delivered", -70, -64, "RoyalPost", "RP99120045GB", kNone, "Outdoor Camera C2", "black", 11900, "4 Mill Lane", "Leeds", "LS1 4AP", "GB"},
             Order{"BL-10425", "C-1003", "shipped", -1, kNone, "Correos", "CX20019554ES", 3, "Termostato Brightloop T2", "blanco", 19900, "Calle Mayor 8", "Madrid", "28013", "ES"},
             Order{"BL-10426", "C-1004", "processing", 0, kNone, nullptr, nullptr, 5, "Smart Plug (2-pack)", "white", 2900, "88 King Street", "Manchester", "M2 4WU", "GB"},
             Order{"BL-10427", "C-1003", "delivered", -6, -3, "Correos", "CX20011873ES", kNone, "Cámara interior C1", "negro", 6900, "Calle Mayor 8", "Madrid", "28013", "ES"}}) {
      SQLite::Statement q(db, "INSERT INTO orders (id, customer_id, status, placed_on, delivered_on, carrier, tracking, eta, item, variant, "
                              "total_cents, ship_line1, ship_city, ship_postcode, ship_country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      q.bind(1, o.id); q.bind(2, o.customer); q.bind(3, o.status); q.bind(4, d(o.placed));
      if (o.delivered != kNone) q.bind(5, d(o.delivered)); else q.bind(5);
      if (o.carrier) q.bind(6, o.carrier); else q.bind(6);
      if (o.tracking) q.bind(7, o.tracking); else q.bind(7);
      if (o.eta != kNone) q.bind(8, d(o.eta)); else q.bind(8);
      q.bind(9, o.item); q.bind(10, o.variant); q.bind(11, o.cents);
      q.bind(12, o.line1); q.bind(13, o.city); q.bind(14, o.postcode); q.bind(15, o.country);
      q.exec();
    }
    // Two billing errors: one under the instant-refund cap, one over it.
    db.exec("UPDATE orders SET charged_cents = total_cents + 2500 WHERE id = 'BL-10421'");
    db.exec("UPDATE orders SET charged_cents = total_cents + 9000 WHERE id = 'BL-10424'");
    struct Appointment { const char *id, *customer, *service, *location; std::string date; const char* time; };
    for (const Appointment& a : {Appointment{"AP-2001", "C-1001", "Thermostat installation", "Lisbon", weekday_after(3), "10:00"},
                                 Appointment{"AP-2002", "C-1002", "Camera installation", "Leeds", weekday_after(7), "14:00"},
                                 Appointment{"AP-2003", "C-1003", "Instalación del termostato", "Madrid", weekday_after(4), "12:00"},
                                 Appointment{"AP-2004", "C-1004", "Hub installation", "Lisbon", weekday_after(10), "08:00"}}) {
      SQLite::Statement q(db, "INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?)");
      q.bind(1, a.id); q.bind(2, a.customer); q.bind(3, a.service); q.bind(4, a.location); q.bind(5, a.date); q.bind(6, a.time);
      q.exec();
    }
    for (const auto& [id, customer, plan, renewal] : {std::tuple{"SUB-3001", "C-1001", "Brightloop Plus monthly", 12},
                                                       std::tuple{"SUB-3002", "C-1002", "Brightloop Plus annual", 40},
                                                       std::tuple{"SUB-3003", "C-1003", "Brightloop Plus mensual", 20}}) {
      SQLite::Statement q(db, "INSERT INTO subscriptions (id, customer_id, plan, status, next_renewal) VALUES (?, ?, ?, 'active', ?)");
      q.bind(1, id); q.bind(2, customer); q.bind(3, plan); q.bind(4, d(renewal));
      q.exec();
    }
    tx.commit();
  }

  ActionResult run(const ActionRequest& request) {
    const std::string prefix = "demo.";
    if (request.connector.rfind(prefix, 0) != 0) throw ConnectorError("not a demo connector: " + request.connector);
    const std::string op = request.connector.substr(prefix.size());
    auto it = operations.find(op);
    if (it == operations.end() || !DemoBackOffice::catalog().connectors.count(request.connector))
      throw ConnectorError("the demo back office has no operation '" + op + "'");
    if (request.idempotency_key.empty()) throw ConnectorError("an idempotency key is required");
    std::lock_guard lock(mu);
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement seen(db, "SELECT outcome, data FROM processed WHERE key = ?");
    seen.bind(1, request.idempotency_key);
    if (seen.executeStep()) return {seen.getColumn(0).getString(), json::parse(seen.getColumn(1).getString())};
    ActionResult result = (this->*(it->second))(request.input.is_object() ? request.input : json::object());
    if (!result.data.is_object()) result.data = json::object();
    // The catalog is the contract `firstfix check` holds flows to: an answer
    // outside it is a bug here, and fails loudly before it commits.
    const auto& declared = DemoBackOffice::catalog().connectors.at(request.connector).outcomes;
    auto outcome = declared.find(result.outcome);
    if (outcome == declared.end()) throw ConnectorError("demo." + op + " answered '" + result.outcome + "', which its catalog does not declare");
    for (const auto& key : outcome->second)
      if (!result.data.contains(key)) throw ConnectorError("demo." + op + " answered '" + result.outcome + "' without '" + key + "'");
    SQLite::Statement done(db, "INSERT INTO processed VALUES (?, ?, ?, ?, ?)");
    done.bind(1, request.idempotency_key);
    done.bind(2, op);
    done.bind(3, result.outcome);
    done.bind(4, result.data.dump());
    done.bind(5, now_ms());
    done.exec();
    tx.commit();
    return result;
  }

  // --- helpers -----------------------------------------------------------

  std::optional<std::string> customer_by_email(const std::string& email) {
    SQLite::Statement q(db, "SELECT id FROM customers WHERE email = ?");
    q.bind(1, lower(email));
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  }

  void send_mail(const std::string& to, const std::string& subject, const std::string& body) {
    SQLite::Statement q(db, "INSERT INTO outbox (at_ms, to_addr, subject, body) VALUES (?, ?, ?, ?)");
    q.bind(1, now_ms()); q.bind(2, to); q.bind(3, subject); q.bind(4, body);
    q.exec();
  }

  // The newest code for `email` that was verified, is unused and fresh.
  std::optional<std::int64_t> verified_code(const std::string& email, const std::string& code) {
    SQLite::Statement q(db, "SELECT id FROM verification_codes WHERE email = ? AND code = ? AND verified_ms IS NOT NULL "
                            "AND used_ms IS NULL AND verified_ms > ? ORDER BY id DESC LIMIT 1");
    q.bind(1, lower(email)); q.bind(2, code); q.bind(3, now_ms() - kVerifiedLifetime);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getInt64();
  }

  void use_code(std::int64_t id) {
    SQLite::Statement q(db, "UPDATE verification_codes SET used_ms = ? WHERE id = ?");
    q.bind(1, now_ms()); q.bind(2, id);
    q.exec();
  }

  // An order that belongs to the customer with this email; both must match,
  // so an order number alone reveals nothing.
  bool order_matches(const std::string& order, const std::string& email) {
    SQLite::Statement q(db, "SELECT 1 FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ? AND c.email = ?");
    q.bind(1, order); q.bind(2, lower(email));
    return q.executeStep();
  }

  // --- operations --------------------------------------------------------

  ActionResult send_code(const json& in) {
    const std::string email = lower(text(in, "email"));
    // The same answer whether or not the account exists: nothing to probe.
    ActionResult r{"sent", {{"email_masked", masked(email)}}};
    if (!customer_by_email(email)) return r;
    const std::string code = random_digits(6);
    SQLite::Statement q(db, "INSERT INTO verification_codes (email, code, created_ms, expires_ms) VALUES (?, ?, ?, ?)");
    q.bind(1, email); q.bind(2, code); q.bind(3, now_ms()); q.bind(4, now_ms() + kCodeLifetime);
    q.exec();
    send_mail(email, "Your Brightloop verification code: " + code,
              "Your verification code is " + code + ". It expires in 15 minutes. If you did not ask for it, ignore this message.");
    return r;
  }

  ActionResult verify_code(const json& in) {
    const std::string email = lower(text(in, "email")), code = text(in, "code");
    SQLite::Statement q(db, "SELECT id, code, attempts FROM verification_codes WHERE email = ? AND expires_ms > ? "
                            "AND verified_ms IS NULL AND used_ms IS NULL ORDER BY id DESC LIMIT 1");
    q.bind(1, email); q.bind(2, now_ms());
    if (!q.executeStep()) return {"expired", {}};
    const std::int64_t id = q.getColumn(0).getInt64();
    const int attempts = q.getColumn(2).getInt();
    if (attempts >= kCodeAttempts) return {"expired", {}};
    if (q.getColumn(1).getString() != code) {
      SQLite::Statement u(db, "UPDATE verification_codes SET attempts = attempts + 1 WHERE id = ?");
      u.bind(1, id);
      u.exec();
      const int left = kCodeAttempts - attempts - 1;
      return {left > 0 ? "wrong_code" : "expired", {{"attempts_left", left}}};
    }
    SQLite::Statement u(db, "UPDATE verification_codes SET verified_ms = ? WHERE id = ?");
    u.bind(1, now_ms()); u.bind(2, id);
    u.exec();
    SQLite::Statement name(db, "SELECT name FROM customers WHERE email = ?");
    name.bind(1, email);
    return {"verified", {{"name", name.executeStep() ? name.getColumn(0).getString() : ""}}};
  }

  ActionResult set_password(const json& in) {
    const std::string email = lower(text(in, "email"));
    auto code = verified_code(email, text(in, "code"));
    if (!code) return {"not_verified", {}};
    use_code(*code);
    SQLite::Statement q(db, "UPDATE customers SET password_hash = ? WHERE email = ?");
    q.bind(1, password_hash(text(in, "password"))); q.bind(2, email);
    q.exec();
    send_mail(email, "Your Brightloop password was changed",
              "Your password was just changed. If this was not you, reply to this message at once.");
    return {"changed", {}};
  }

  ActionResult track_order(const json& in) {
    const std::string order = text(in, "order"), email = text(in, "email");
    if (!order_matches(order, email)) return {"not_found", {}};
    SQLite::Statement q(db, "SELECT status, carrier, tracking, eta, delivered_on, item FROM orders WHERE id = ?");
    q.bind(1, order);
    q.executeStep();
    static const std::map<std::string, std::string> labels = {{"processing", "being packed"}, {"shipped", "shipped"},
                                                              {"in_transit", "on its way"}, {"delivered", "delivered"}};
    const std::string status = q.getColumn(0).getString();
    json data = {{"status", status}, {"status_label", labels.at(status)}, {"item", q.getColumn(5).getString()},
                 {"carrier", q.getColumn(1).isNull() ? "" : q.getColumn(1).getString()},
                 {"tracking", q.getColumn(2).isNull() ? "" : q.getColumn(2).getString()},
                 {"eta", q.getColumn(3).isNull() ? "" : q.getColumn(3).getString()},
                 {"delivered_on", q.getColumn(4).isNull() ? "" : q.getColumn(4).getString()}};
    return {status, data};
  }

  ActionResult check_return(const json& in) {
    const std::string order = text(in, "order"), email = text(in, "email");
    if (!order_matches(order, email)) return {"not_found", {}};
    SQLite::Statement q(db, "SELECT o.status, o.delivered_on, o.item, o.variant, (SELECT id FROM returns WHERE order_id = o.id) "
                            "FROM orders o WHERE o.id = ?");
    q.bind(1, order);
    q.executeStep();
    json data = {{"item", q.getColumn(2).getString()}, {"variant", q.getColumn(3).getString()}};
    if (!q.getColumn(4).isNull()) return {"already_requested", {{"rma", q.getColumn(4).getString()}}};
    if (q.getColumn(0).getString() != "delivered") return {"not_delivered", data};
    const std::int64_t return_by = day_of(q.getColumn(1).getString()) + kReturnDays;
    data["return_by"] = iso_date(return_by);
    if (today() > return_by) return {"outside_window", data};
    return {"returnable", data};
  }

  ActionResult create_refund(const json& in) { return create_return(in, "refund"); }
  ActionResult create_exchange(const json& in) { return create_return(in, "exchange"); }

  ActionResult create_return(const json& in, const std::string& resolution) {
    const std::string order = text(in, "order"), email = text(in, "email"), reason = text(in, "reason");
    const std::string new_variant = resolution == "exchange" ? text(in, "variant") : std::string();
    auto check = check_return(in);
    if (check.outcome != "returnable") return check;
    SQLite::Statement cents(db, "SELECT total_cents FROM orders WHERE id = ?");
    cents.bind(1, order);
    cents.executeStep();
    const std::int64_t refund = resolution == "refund" ? cents.getColumn(0).getInt64() : 0;
    const std::string rma = "RMA-" + order.substr(3);
    SQLite::Statement q(db, "INSERT INTO returns VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, rma); q.bind(2, order); q.bind(3, reason); q.bind(4, resolution);
    if (new_variant.empty()) q.bind(5); else q.bind(5, new_variant);
    q.bind(6, refund); q.bind(7, iso_date(today()));
    if (auto photo = in.find("photo"); photo != in.end() && photo->is_string() && !photo->get<std::string>().empty()) q.bind(8, photo->get<std::string>());
    else q.bind(8);
    q.exec();
    send_mail(lower(email), "Your Brightloop return " + rma,
              "Print the label at brightloop.example/returns/" + rma + " and drop the parcel at any ParcelNow point within 14 days.");
    return {"created", {{"rma", rma}, {"resolution", resolution}, {"refund", money(refund)}, {"variant", new_variant}}};
  }

  ActionResult find_appointment(const json& in) {
    SQLite::Statement q(db, "SELECT a.service, a.location, a.date, a.time FROM appointments a JOIN customers c "
                            "ON c.id = a.customer_id WHERE a.id = ? AND c.email = ?");
    q.bind(1, text(in, "booking")); q.bind(2, lower(text(in, "email")));
    if (!q.executeStep()) return {"not_found", {}};
    return {"found", {{"service", q.getColumn(0).getString()}, {"location", q.getColumn(1).getString()},
                      {"date", q.getColumn(2).getString()}, {"time", q.getColumn(3).getString()}}};
  }

  ActionResult reschedule_appointment(const json& in) {
    const std::string booking = text(in, "booking"), date = text(in, "date"), time = text(in, "time");
    auto found = find_appointment(in);
    if (found.outcome != "found") return found;
    const std::int64_t day = day_of(date);
    // "unavailable" carries the booking as it stands, so the flow can show it again.
    auto unavailable = [&](const char* why) {
      found.data["why"] = why;
      return ActionResult{"unavailable", found.data};
    };
    if (day <= today() || day > today() + kBookingDays) return unavailable("outside the booking window");
    if (weekday(day) == 0 || weekday(day) == 6) return unavailable("installers do not work at weekends");
    SQLite::Statement taken(db, "SELECT 1 FROM appointments WHERE location = ? AND date = ? AND time = ? AND id <> ?");
    taken.bind(1, found.data["location"].get<std::string>()); taken.bind(2, date); taken.bind(3, time); taken.bind(4, booking);
    if (taken.executeStep()) return unavailable("that window is already booked");
    SQLite::Statement q(db, "UPDATE appointments SET date = ?, time = ? WHERE id = ?");
    q.bind(1, date); q.bind(2, time); q.bind(3, booking);
    q.exec();
    found.data["date"] = date;
    found.data["time"] = time;
    send_mail(lower(text(in, "email")), "Your Brightloop appointment moved to " + date + " " + time,
              found.data["service"].get<std::string>() + " at " + found.data["location"].get<std::string>() + ", " + date + " " + time + ".");
    return {"rescheduled", found.data};
  }

  ActionResult update_billing_address(const json& in) {
    const std::string email = lower(text(in, "email"));
    auto code = verified_code(email, text(in, "code"));
    if (!code) return {"not_verified", {}};
    use_code(*code);
    SQLite::Statement q(db, "UPDATE customers SET billing_line1 = ?, billing_city = ?, billing_postcode = ?, billing_country = ? WHERE email = ?");
    q.bind(1, text(in, "line1")); q.bind(2, text(in, "city")); q.bind(3, text(in, "postcode")); q.bind(4, text(in, "country"));
    q.bind(5, email);
    q.exec();
    return {"updated", {{"address", text(in, "line1") + ", " + text(in, "city")}}};
  }

  ActionResult update_payment_method(const json& in) {
    const std::string email = lower(text(in, "email"));
    std::string digits;
    for (char c : text(in, "card_number"))
      if (c >= '0' && c <= '9') digits += c;
    const std::string expiry = text(in, "expiry");
    unsigned month = 0, year = 0;
    if (digits.size() < 12 || digits.size() > 19 || !text::passes_luhn(digits)) return {"card_declined", {{"why", "the card number is not valid"}}};
    if (std::sscanf(expiry.c_str(), "%2u/%2u", &month, &year) != 2 || month < 1 || month > 12)
      return {"card_declined", {{"why", "the expiry date is not valid"}}};
    const chr::year_month_day now{chr::sys_days{chr::days{today()}}};
    const int now_year = static_cast<int>(now.year()) % 100;
    if (static_cast<int>(year) < now_year || (static_cast<int>(year) == now_year && month < static_cast<unsigned>(now.month())))
      return {"card_declined", {{"why", "the card has expired"}}};
    auto code = verified_code(email, text(in, "code"));
    if (!code) return {"not_verified", {}};
    use_code(*code);
    auto customer = customer_by_email(email);
    SQLite::Statement q(db, "UPDATE payment_methods SET brand = ?, last4 = ?, expiry = ?, holder = ? WHERE customer_id = ?");
    q.bind(1, card_brand(digits)); q.bind(2, digits.substr(digits.size() - 4)); q.bind(3, expiry); q.bind(4, text(in, "holder"));
    q.bind(5, *customer);
    q.exec();
    return {"updated", {{"brand", card_brand(digits)}, {"last4", digits.substr(digits.size() - 4)}}};
  }

  // Reads need a verified code too; only writes use it up.
  std::optional<std::string> subscription_of(const json& in, std::int64_t& code_id) {
    const std::string email = lower(text(in, "email"));
    auto code = verified_code(email, text(in, "code"));
    if (!code) return std::nullopt;
    code_id = *code;
    SQLite::Statement q(db, "SELECT s.id FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE c.email = ? "
                            "AND s.status <> 'cancelled' ORDER BY s.id LIMIT 1");
    q.bind(1, email);
    if (!q.executeStep()) return std::string();
    return q.getColumn(0).getString();
  }

  json subscription_data(const std::string& id) {
    SQLite::Statement q(db, "SELECT plan, status, next_renewal, paused_until, ends_on FROM subscriptions WHERE id = ?");
    q.bind(1, id);
    q.executeStep();
    auto opt = [&](int i) { return q.getColumn(i).isNull() ? std::string() : q.getColumn(i).getString(); };
    return {{"subscription", id}, {"plan", opt(0)}, {"status", opt(1)}, {"next_renewal", opt(2)}, {"paused_until", opt(3)}, {"ends_on", opt(4)}};
  }

  ActionResult find_subscription(const json& in) {
    std::int64_t code = 0;
    auto id = subscription_of(in, code);
    if (!id) return {"not_verified", {}};
    if (id->empty()) return {"none", {}};
    return {"found", subscription_data(*id)};
  }

  ActionResult change_subscription(const json& in, const std::string& sql_set, const std::function<void(SQLite::Statement&)>& bind,
                                   const std::string& outcome, const std::string& mail_subject) {
    std::int64_t code = 0;
    auto id = subscription_of(in, code);
    if (!id) return {"not_verified", {}};
    if (id->empty()) return {"none", {}};
    use_code(code);
    SQLite::Statement q(db, "UPDATE subscriptions SET " + sql_set + " WHERE id = ?");
    bind(q);
    q.bind(q.getBindParameterCount(), *id);
    q.exec();
    json data = subscription_data(*id);
    send_mail(lower(text(in, "email")), mail_subject, data["plan"].get<std::string>() + ": " + data.dump());
    return {outcome, data};
  }

  ActionResult pause_subscription(const json& in) {
    int months = 1;
    if (auto it = in.find("months"); it != in.end() && it->is_number_integer()) months = it->get<int>();
    else if (it != in.end() && it->is_string()) months = std::atoi(it->get<std::string>().c_str());
    if (months < 1 || months > 3) throw ConnectorError("a pause lasts 1 to 3 months");
    const std::string until = iso_date(today() + 30 * months);
    return change_subscription(in, "status = 'paused', paused_until = ?, next_renewal = ?",
                               [&](SQLite::Statement& q) { q.bind(1, until); q.bind(2, until); }, "paused",
                               "Your subscription is paused until " + until);
  }

  ActionResult skip_month(const json& in) {
    std::int64_t code = 0;
    auto id = subscription_of(in, code);
    if (!id || id->empty()) return {id ? "none" : "not_verified", {}};
    const std::string next = iso_date(day_of(subscription_data(*id)["next_renewal"].get<std::string>()) + 30);
    return change_subscription(in, "next_renewal = ?", [&](SQLite::Statement& q) { q.bind(1, next); }, "skipped",
                               "Next month of Brightloop Plus is skipped");
  }

  ActionResult cancel_subscription(const json& in) {
    const std::string reason = text(in, "reason");
    std::int64_t code = 0;
    auto id = subscription_of(in, code);
    if (!id || id->empty()) return {id ? "none" : "not_verified", {}};
    const std::string ends = subscription_data(*id)["next_renewal"].get<std::string>();
    return change_subscription(in, "status = 'cancelled', cancel_reason = ?, ends_on = ?",
                               [&](SQLite::Statement& q) { q.bind(1, reason); q.bind(2, ends); }, "cancelled",
                               "Your subscription is cancelled");
  }

  ActionResult change_delivery_address(const json& in) {
    const std::string order = text(in, "order"), email = text(in, "email");
    if (!order_matches(order, email)) return {"not_found", {}};
    SQLite::Statement s(db, "SELECT status FROM orders WHERE id = ?");
    s.bind(1, order);
    s.executeStep();
    if (s.getColumn(0).getString() != "processing") return {"already_shipped", {{"status", s.getColumn(0).getString()}}};
    SQLite::Statement q(db, "UPDATE orders SET ship_line1 = ?, ship_city = ?, ship_postcode = ? WHERE id = ?");
    q.bind(1, text(in, "line1")); q.bind(2, text(in, "city")); q.bind(3, text(in, "postcode")); q.bind(4, order);
    q.exec();
    const std::string address = text(in, "line1") + ", " + text(in, "postcode") + " " + text(in, "city");
    send_mail(lower(email), "Order " + order + " will go to a new address", "We will deliver order " + order + " to " + address + ".");
    return {"changed", {{"address", address}}};
  }

  // --- a customer the host site vouched for: the flow passes the verified id, no code needed ---

  std::optional<std::string> active_subscription(const std::string& customer) {
    SQLite::Statement q(db, "SELECT id FROM subscriptions WHERE customer_id = ? AND status <> 'cancelled' ORDER BY id LIMIT 1");
    q.bind(1, customer);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  }

  ActionResult account_subscription(const json& in) {
    auto id = active_subscription(text(in, "customer"));
    if (!id) return {"none", {}};
    return {"found", subscription_data(*id)};
  }

  ActionResult change_plan(const json& in) {
    const std::string customer = text(in, "customer"), plan = text(in, "plan");
    static const std::map<std::string, std::string> plans = {{"monthly", "Brightloop Plus monthly"}, {"annual", "Brightloop Plus annual"}};
    auto name = plans.find(plan);
    if (name == plans.end()) throw ConnectorError("input 'plan' must be monthly or annual");
    auto id = active_subscription(customer);
    if (!id) return {"none", {}};
    json data = subscription_data(*id);
    if (data["plan"] == name->second) return {"same_plan", data};
    SQLite::Statement q(db, "UPDATE subscriptions SET plan = ? WHERE id = ?");
    q.bind(1, name->second); q.bind(2, *id);
    q.exec();
    data = subscription_data(*id);
    SQLite::Statement email(db, "SELECT email FROM customers WHERE id = ?");
    email.bind(1, customer);
    if (email.executeStep())
      send_mail(email.getColumn(0).getString(), "Your plan is now " + name->second,
                "From your next renewal on " + data["next_renewal"].get<std::string>() + " you are on " + name->second + ".");
    return {"changed", data};
  }

  // --- billing errors: what an order cost and what the card was charged, in euros (numbers a flow can compute with) ---

  ActionResult order_charge(const json& in) {
    const std::string order = text(in, "order"), email = text(in, "email");
    if (!order_matches(order, email)) return {"not_found", {}};
    SQLite::Statement q(db, "SELECT o.item, o.total_cents, coalesce(o.charged_cents, o.total_cents), c.id FROM orders o "
                            "LEFT JOIN credits c ON c.order_id = o.id WHERE o.id = ?");
    q.bind(1, order);
    q.executeStep();
    if (!q.getColumn(3).isNull()) return {"already_refunded", {{"credit", q.getColumn(3).getString()}}};
    return {"found", {{"item", q.getColumn(0).getString()}, {"expected", q.getColumn(1).getInt64() / 100.0},
                      {"charged", q.getColumn(2).getInt64() / 100.0}}};
  }

  // Never trusts the amount it is given: at most the overcharge, and at most the cap.
  ActionResult refund_overcharge(const json& in) {
    const std::string order = text(in, "order"), email = text(in, "email");
    auto charge = order_charge(in);
    if (charge.outcome != "found") return charge;
    const auto amount = in.find("amount");
    if (amount == in.end() || !amount->is_number()) throw ConnectorError("input 'amount' must be a number (euros)");
    const std::int64_t cents = static_cast<std::int64_t>(std::llround(amount->get<double>() * 100));
    const std::int64_t over = std::llround((charge.data["charged"].get<double>() - charge.data["expected"].get<double>()) * 100);
    const std::int64_t allowed = std::min(over, kInstantRefundCapCents);
    if (cents <= 0 || cents > allowed) return {"refused", {{"max", allowed / 100.0}}};
    const std::string credit = "CR-" + order.substr(3);
    SQLite::Statement q(db, "INSERT INTO credits VALUES (?, ?, ?, ?)");
    q.bind(1, credit); q.bind(2, order); q.bind(3, cents); q.bind(4, iso_date(today()));
    q.exec();
    send_mail(lower(email), "Refund " + credit + " for order " + order,
              money(cents) + " is on its way back to your card: the difference between what we charged and what the order cost.");
    return {"refunded", {{"credit", credit}, {"amount", cents / 100.0}}};
  }

  json query_rows(const std::string& sql) {
    SQLite::Statement q(db, sql);
    json rows = json::array();
    while (q.executeStep()) {
      json row = json::object();
      for (int i = 0; i < q.getColumnCount(); ++i) {
        const auto c = q.getColumn(i);
        row[q.getColumnName(i)] = c.isNull() ? json() : c.isInteger() ? json(c.getInt64()) : json(c.getString());
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }
};

const flow::ConnectorCatalog& DemoBackOffice::catalog() {
  static const flow::ConnectorCatalog c = [] {
    using Keys = std::vector<std::string>;
    const Keys order = {"status", "status_label", "item", "carrier", "tracking", "eta", "delivered_on"};
    const Keys item = {"item", "variant"}, window = {"item", "variant", "return_by"};
    const Keys booking = {"service", "location", "date", "time"};
    const Keys subscription = {"subscription", "plan", "status", "next_renewal", "paused_until", "ends_on"};
    const std::map<std::string, Keys> returns = {{"not_found", {}}, {"already_requested", {"rma"}}, {"not_delivered", item},
                                                 {"outside_window", window}};
    auto with = [](std::map<std::string, Keys> base, std::map<std::string, Keys> more) {
      base.insert(more.begin(), more.end());
      return base;
    };
    flow::ConnectorCatalog out;
    out.complete_prefixes = {"demo"};
    auto& ops = out.connectors;
    ops["demo.send_code"].outcomes = {{"sent", {"email_masked"}}};
    ops["demo.verify_code"].outcomes = {{"verified", {"name"}}, {"wrong_code", {"attempts_left"}}, {"expired", {}}};
    ops["demo.set_password"].outcomes = {{"changed", {}}, {"not_verified", {}}};
    ops["demo.track_order"].outcomes = {{"not_found", {}}, {"processing", order}, {"shipped", order}, {"in_transit", order}, {"delivered", order}};
    ops["demo.check_return"].outcomes = with(returns, {{"returnable", window}});
    ops["demo.create_refund"].outcomes = with(returns, {{"created", {"rma", "resolution", "refund", "variant"}}});
    ops["demo.create_exchange"].outcomes = ops["demo.create_refund"].outcomes;
    ops["demo.find_appointment"].outcomes = {{"not_found", {}}, {"found", booking}};
    Keys unavailable = booking;
    unavailable.push_back("why");
    ops["demo.reschedule_appointment"].outcomes = {{"not_found", {}}, {"unavailable", unavailable}, {"rescheduled", booking}};
    ops["demo.update_billing_address"].outcomes = {{"not_verified", {}}, {"updated", {"address"}}};
    ops["demo.update_payment_method"].outcomes = {{"card_declined", {"why"}}, {"not_verified", {}}, {"updated", {"brand", "last4"}}};
    ops["demo.find_subscription"].outcomes = {{"not_verified", {}}, {"none", {}}, {"found", subscription}};
    ops["demo.pause_subscription"].outcomes = {{"not_verified", {}}, {"none", {}}, {"paused", subscription}};
    ops["demo.skip_month"].outcomes = {{"not_verified", {}}, {"none", {}}, {"skipped", subscription}};
    ops["demo.cancel_subscription"].outcomes = {{"not_verified", {}}, {"none", {}}, {"cancelled", subscription}};
    ops["demo.change_delivery_address"].outcomes = {{"not_found", {}}, {"already_shipped", {"status"}}, {"changed", {"address"}}};
    ops["demo.account_subscription"].outcomes = {{"none", {}}, {"found", subscription}};
    ops["demo.change_plan"].outcomes = {{"none", {}}, {"same_plan", subscription}, {"changed", subscription}};
    ops["demo.order_charge"].outcomes = {{"not_found", {}}, {"already_refunded", {"credit"}}, {"found", {"item", "expected", "charged"}}};
    ops["demo.refund_overcharge"].outcomes = {{"not_found", {}}, {"already_refunded", {"credit"}}, {"refused", {"max"}},
                                              {"refunded", {"credit", "amount"}}};
    return out;
  }();
  return c;
}

DemoBackOffice::DemoBackOffice(const std::string& path, std::function<std::int64_t()> now_ms)
    : impl_(std::make_unique<Impl>(path, std::move(now_ms))) {}
DemoBackOffice::~DemoBackOffice() = default;

ActionResult DemoBackOffice::run(const ActionRequest& request) {
  try {
    return impl_->run(request);
  } catch (const SQLite::Exception& e) {
    throw ConnectorError(std::string("demo back office: ") + e.what());
  }
}

std::string DemoBackOffice::problem(const std::string& name) const {
  const std::string op = name.substr(name.find('.') + 1);
  return impl_->operations.count(op) && catalog().connectors.count(name) ? "" : "the demo back office has no operation '" + op + "'";
}

nlohmann::json DemoBackOffice::outbox(size_t limit) {
  std::lock_guard lock(impl_->mu);
  return impl_->query_rows("SELECT id, at_ms, to_addr AS \"to\", subject, body FROM outbox ORDER BY id DESC LIMIT " + std::to_string(limit));
}

nlohmann::json DemoBackOffice::records() {
  std::lock_guard lock(impl_->mu);
  return {{"customers", impl_->query_rows("SELECT id, email, name, billing_line1, billing_city, billing_postcode, billing_country FROM customers ORDER BY id")},
          {"payment_methods", impl_->query_rows("SELECT * FROM payment_methods ORDER BY customer_id")},
          {"orders", impl_->query_rows("SELECT * FROM orders ORDER BY id")},
          {"returns", impl_->query_rows("SELECT * FROM returns ORDER BY id")},
          {"appointments", impl_->query_rows("SELECT * FROM appointments ORDER BY id")},
          {"subscriptions", impl_->query_rows("SELECT * FROM subscriptions ORDER BY id")}};
}

}  // namespace firstfix::server
