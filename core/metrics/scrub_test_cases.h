// The scrubber's tricky inputs and what each must become: its own test,
// and search learning's (no suggestion may hold what was scrubbed), replay them.
#pragma once

#include <utility>

namespace firstfix::metrics {

inline constexpr std::pair<const char*, const char*> kScrubCases[] = {
    // Emails, however they sit in the text.
    {"reset password for ana.lopez+shop@example.com", "reset password for [email]"},
    {"ANA@EXAMPLE.CO.UK can't log in", "[email] can't log in"},
    {"mail me at dev@example.com.", "mail me at [email]."},
    {"josé@correo.es contraseña", "[email] contraseña"},
    {"user@localhost", "user@localhost"},  // no dotted domain: not an address anyone could be reached at
    {"@brightloop support", "@brightloop support"},
    // Cards: Luhn-valid 13 to 19 digits, with or without separators.
    {"card 4111 1111 1111 1111 declined", "card [card] declined"},
    {"4111-1111-1111-1111", "[card]"},
    {"5500005555555559", "[card]"},
    {"4111 1111 1111 1112 declined", "[number] declined"},  // fails Luhn: still too many digits to keep
    // Phones.
    {"call me on +44 20 7946 0958", "call me on [phone]"},
    {"(555) 123-4567 please", "[phone] please"},
    {"0612 345 678", "[phone]"},
    {"+34612345678", "[phone]"},
    // Other long numbers: national ids, accounts.
    {"ssn 123-45-6789", "ssn [phone]"},
    {"account 12345678901", "account [number]"},
    // IBAN.
    {"refund to GB82 WEST 1234 5698 7654 32", "refund to [iban]"},
    {"ES9121000418450200051332 iban", "[iban] iban"},
    // What stays.
    {"order BL-10421 not arrived", "order BL-10421 not arrived"},
    {"delivery 2026-11-25", "delivery 2026-11-25"},
    {"appointment 25/11/2026 at 10:30", "appointment 25/11/2026 at 10:30"},
    {"refund 1499.99 eur", "refund 1499.99 eur"},
    {"error 0x80070005", "error 0x80070005"},
    {"model AB1234567", "model AB1234567"},  // part of a word: a product code
    {"zip 90210", "zip 90210"},
    {"", ""},
    {"12345678", "[number]"},
    {"+", "+"},
    {"a@b.c@d.e", "[email]@d.e"},
};

}  // namespace firstfix::metrics
