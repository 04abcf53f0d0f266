// Personal data out of free text before it is counted: what a customer
// types into the search box may be their email address, phone number or
// card number, and none of that belongs in a report. The widget scrubs
// (in its Worker, with this code compiled to WebAssembly) before an event
// leaves the page, and the server scrubs again on the way in, because it
// never trusts the browser.
#pragma once

#include <string>
#include <string_view>

namespace firstfix::metrics {

// Replaces each email address with "[email]", card number (13 to 19 digits
// passing the Luhn check) with "[card]", IBAN with "[iban]", phone number
// (7 to 15 digits, or a leading +) with "[phone]", and any other run of 7 or
// more digits (account, national id, tracking numbers) with "[number]".
// Dates (2026-11-25, 25/11/2026), times, prices and short ids such as order
// numbers (BL-10421) stay: they are what editors need to read queries.
std::string scrub_personal_data(std::string_view text);

}  // namespace firstfix::metrics
