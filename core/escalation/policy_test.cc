#include "core/escalation/policy.h"

#include <doctest/doctest.h>

using namespace firstfix::escalation;

TEST_CASE("one failure does not offer a person; the second does") {
  Conversation c;
  CHECK_FALSE(c.failure("order not found").offer);
  auto d = c.failure("wrong verification code");
  CHECK(d.offer);
  CHECK(d.trigger == Trigger::kFailures);
  CHECK(d.why == "2 self-service failures: wrong verification code");
  CHECK(c.failures() == 2);
}

TEST_CASE("failures come from flows, unhelpful articles and two empty searches in a row") {
  Conversation c;
  CHECK_FALSE(c.search("thermostat blinking purple", 0, "en").offer);
  CHECK_FALSE(c.search("purple light", 3, "en").offer);  // found something: no failure
  CHECK(c.failures() == 0);
  c.article_read();
  CHECK_FALSE(c.search("zigbee pairing code", 0, "en").offer);
  CHECK_FALSE(c.search("zigbee pin", 0, "en").offer);  // the second empty search in a row: one failure
  CHECK(c.failures() == 1);
  auto d = c.article_vote(false, "set-up-hub");
  CHECK(d.offer);
  CHECK(c.reasons()[1] == "article 'set-up-hub' voted not helpful");
  Conversation helpful;
  CHECK_FALSE(helpful.article_vote(true, "x").offer);
  CHECK(helpful.failures() == 0);
}

TEST_CASE("asking for a person offers one at once, in every supported language") {
  struct Case { const char* locale; const char* text; };
  for (const Case& c : {Case{"en", "I want to talk to a human"}, Case{"en", "AGENT"}, Case{"en", "representative please"},
                        Case{"es", "quiero hablar con una persona"}, Case{"es", "Atención al cliente"}, Case{"es", "agente"},
                        Case{"de", "Bitte einen Mitarbeiter"}, Case{"fr", "je veux parler à quelqu'un"}, Case{"fr", "Service client"},
                        Case{"ar", "أريد موظف"}, Case{"he", "אני רוצה נציג"},
                        // Any language on any page: a Spanish request on an English page.
                        Case{"en", "hablar con alguien por favor"}}) {
    CAPTURE(c.text);
    Conversation conv;
    auto d = conv.search(c.text, 5, c.locale);
    CHECK(d.offer);
    CHECK(d.trigger == Trigger::kRequest);
  }
  Conversation typed;
  CHECK(typed.text("can I speak to someone?", "en").trigger == Trigger::kRequest);
}

TEST_CASE("ordinary questions are not requests or frustration") {
  for (const char* q : {"reset my password", "how do I return an item", "cambiar la dirección de entrega", "fatal error on the hub",
                        "humidity sensor", "agenda for installation day", "My Thermostat Shows E4", "WiFi"}) {
    CAPTURE(q);
    const auto s = read_text(q, "en");
    CHECK_FALSE(s.asks_for_person);
    CHECK_FALSE(s.frustrated);
  }
}

TEST_CASE("frustration offers at once: words, shouting, exclamation, rephrasing") {
  for (const char* q : {"this is useless", "absolutely ridiculous", "esto es inútil", "estoy harto", "c'est nul",
                        "WHY DOES MY CAMERA KEEP GOING OFFLINE", "it still doesn't work!!!"}) {
    CAPTURE(q);
    Conversation c;
    auto d = c.search(q, 4, "en");
    CHECK(d.offer);
    CHECK(d.trigger == Trigger::kFrustration);
  }
  Conversation c;
  CHECK_FALSE(c.search("camera offline", 3, "en").offer);
  CHECK_FALSE(c.search("camera not connecting", 3, "en").offer);
  CHECK_FALSE(c.search("camera wifi lost", 3, "en").offer);
  auto d = c.search("camera disconnects", 3, "en");
  CHECK(d.offer);
  CHECK(d.why == "rephrased the search 4 times without reading anything");
  Conversation reader;
  for (int i = 0; i < 3; ++i) reader.search("camera offline", 3, "en");
  reader.article_read();
  CHECK_FALSE(reader.search("camera offline again", 3, "en").offer);
}

TEST_CASE("declining keeps self-service going until a new failure or a new request") {
  Conversation c;
  c.failure("a");
  REQUIRE(c.failure("b").offer);
  c.decline();
  CHECK_FALSE(c.article_read().offer);
  CHECK_FALSE(c.search("hub setup", 2, "en").offer);
  CHECK(c.failure("c").offer);  // a third failure offers again
  c.decline();
  CHECK(c.text("agent", "en").offer);  // asking is always possible
  c.accept();
  CHECK_FALSE(c.failure("d").offer);  // in a chat already
}

TEST_CASE("thresholds are configurable, and the state round-trips") {
  Conversation strict({.failure_threshold = 1});
  CHECK(strict.failure("x").offer);
  Conversation quiet({.failure_threshold = 3, .offer_on_frustration = false, .rephrase_threshold = 0});
  quiet.failure("a");
  quiet.failure("b");
  CHECK_FALSE(quiet.search("THIS IS USELESS!!!", 1, "en").offer);
  CHECK(quiet.failure("c").offer);
  quiet.decline();
  auto copy = Conversation::from_json(quiet.to_json(), {.failure_threshold = 3});
  CHECK(copy.failures() == 3);
  CHECK_FALSE(copy.article_read().offer);  // still declined
  CHECK(copy.failure("d").offer);
  CHECK_THROWS_AS(Conversation::from_json(nlohmann::json::object()), std::invalid_argument);
}

#include "core/escalation/business_hours.h"

TEST_CASE("business hours: day ranges, several windows, and clear errors") {
  std::string error;
  auto h = parse_business_hours("Mon-Fri 08:00-20:00, Sat 09:00-14:00", error);
  REQUIRE(h.has_value());
  CHECK(open_at(*h, 0, 8 * 60));          // Monday 08:00
  CHECK_FALSE(open_at(*h, 0, 20 * 60));   // closes at 20:00
  CHECK(open_at(*h, 5, 13 * 60 + 59));    // Saturday 13:59
  CHECK_FALSE(open_at(*h, 5, 14 * 60));
  CHECK_FALSE(open_at(*h, 6, 12 * 60));   // Sunday
  auto wrap = parse_business_hours("Fri-Mon 10:00-12:00", error);
  REQUIRE(wrap.has_value());
  CHECK(open_at(*wrap, 6, 11 * 60));      // Sunday, inside Fri..Mon
  CHECK_FALSE(open_at(*wrap, 2, 11 * 60));  // Wednesday
  CHECK_FALSE(parse_business_hours("Mon-Fry 08:00-20:00", error));
  CHECK(error == "unknown day in 'Mon-Fry' (use Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
  CHECK_FALSE(parse_business_hours("Mon 20:00-08:00", error));
  CHECK(error.find("closing after opening") != std::string::npos);
  CHECK_FALSE(parse_business_hours("weekdays", error));
}
