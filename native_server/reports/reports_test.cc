#include "native_server/reports/reports.h"

#include <doctest/doctest.h>

using firstfix::server::csv_cell;

TEST_CASE("CSV cells: plain text as is, commas and quotes quoted, formulas kept text") {
  CHECK(csv_cell("password reset") == "password reset");
  CHECK(csv_cell("") == "");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("line\nbreak") == "\"line\nbreak\"");
  // Every character a spreadsheet may start a formula with.
  CHECK(csv_cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_cell("+1") == "\"'+1\"");
  CHECK(csv_cell("-1+2") == "\"'-1+2\"");
  CHECK(csv_cell("@SUM(A1)") == "\"'@SUM(A1)\"");
  CHECK(csv_cell("\t=1+2") == "\"'\t=1+2\"");
  CHECK(csv_cell("\r=1+2") == "\"'\r=1+2\"");
  // Only the first character counts.
  CHECK(csv_cell("a=b") == "a=b");
}
