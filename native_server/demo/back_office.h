// A small, real back office for the demo: customers, orders and shipments,
// returns, appointments, subscriptions, payment methods, one-time codes and
// an email outbox, in its own SQLite file (a stand-in for the systems a
// company already runs, so it is not part of firstfix's own store). It is
// created and seeded on first open, so every sample flow completes with no
// configuration. Connector names: "demo.<operation>".
//
// Like a careful payment API it honours idempotency keys itself: an
// operation and the record of its key commit in one transaction, so a key
// runs at most once even when two requests race.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "core/flow/flow.h"
#include "native_server/flows/connector.h"

namespace firstfix::server {

class DemoBackOffice final : public Connector {
 public:
  // `now_ms` is the clock (tests move it); seeding uses its date.
  explicit DemoBackOffice(const std::string& path, std::function<std::int64_t()> now_ms = {});
  ~DemoBackOffice() override;

  // What each operation answers: its outcomes and the result keys each
  // always carries. `firstfix check` holds flows to it ("demo" names are all here).
  static const flow::ConnectorCatalog& catalog();

  ActionResult run(const ActionRequest& request) override;
  std::string problem(const std::string& name) const override;

  // The demo site shows these: the outbox (newest first) and the records.
  nlohmann::json outbox(size_t limit);
  nlohmann::json records();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace firstfix::server
