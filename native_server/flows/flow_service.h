// The flow API's decisions: start a session, take answers, go back, record
// "this did not solve it". The server is the authority: every answer is
// re-validated by the same core engine the widget runs, actions run here
// through connectors, and each change is stored before it is answered.
//
// Calls block on the store and connectors: run them on the worker pool.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/flow/engine.h"
#include "core/flow/flow.h"
#include "native_server/flows/connector.h"
#include "native_server/identity/identity_verifier.h"
#include "native_server/storage/store.h"

namespace firstfix::server {

// Connectors by the prefix of the names flows use: "demo" serves "demo.*".
class Connectors {
 public:
  void add(const std::string& prefix, std::shared_ptr<Connector> connector) { by_prefix_[prefix] = std::move(connector); }
  Connector* find(const std::string& name) const;

 private:
  std::map<std::string, std::shared_ptr<Connector>> by_prefix_;
};

struct FlowReply {
  int status = 200;
  nlohmann::json body;
};

// A flow as published, with the hash of its definition: a session runs on
// the version it started with, whatever was published since.
struct VersionedFlow {
  flow::Flow flow;
  std::string version;
};

// The flows of one content version: those that can run (their connectors
// are all configured), and those switched off, with why.
struct FlowSet {
  std::map<std::string, std::shared_ptr<const VersionedFlow>> flows;
  std::map<std::string, std::string> off;
};

class FlowService {
 public:
  // `flows` from the compiled content; `now_ms` is the clock; `today` names
  // the date at a time in the help center's time zone (UTC when not given).
  // `identity` verifies the customers host sites vouch for (none: no flow that requires one can start).
  FlowService(std::map<std::string, VersionedFlow> flows, FlowStore& store, const Connectors& connectors,
              std::function<std::int64_t()> now_ms = {}, std::function<std::string(std::int64_t)> today = {},
              const IdentityVerifier* identity = nullptr);

  // A new content version's flows: new sessions start on them; sessions
  // started before go on with the version they started on (kept here for
  // as long as this server runs).
  void publish(std::map<std::string, VersionedFlow> flows);

  // GET /api/v1/flows[?locale=]: [{id, title, locale, intents}]
  nlohmann::json list(const std::string& locale) const;
  // POST /api/v1/flows/<id>/sessions {"context", "identity"}: a signed
  // identity is verified (401 with the reason if it does not verify); a
  // flow that requires an identified customer needs one (403).
  FlowReply start(const std::string& flow_id, const nlohmann::json& body);
  // GET /api/v1/sessions/<id>
  FlowReply get(const std::string& session_id);
  // POST /api/v1/sessions/<id>/answers {"step", "answers"}; a repeated
  // Idempotency-Key gets the first reply again instead of acting twice, and
  // 422 if it comes with a different request.
  FlowReply answer(const std::string& session_id, const nlohmann::json& body, const std::string& idempotency_key);
  // POST /api/v1/sessions/<id>/back {"step"}
  FlowReply back(const std::string& session_id, const nlohmann::json& body);
  // POST /api/v1/sessions/<id>/uploads (the raw bytes of a photo): {"upload", "content_type", "bytes"};
  // a photo field's answer is the upload id. Only while the current step
  // asks for a photo, and at most kMaxUploadsPerSession.
  FlowReply upload(const std::string& session_id, const std::string& content_type, const std::string& bytes);
  static constexpr std::size_t kMaxUploadsPerSession = 6;
  // Photos no answer names a day after they arrived are deleted; returns how many.
  static constexpr std::int64_t kUnreferencedUploadMs = 24LL * 3600 * 1000;
  std::size_t delete_stale_uploads();

  // POST /api/v1/sessions/<id>/not-solved {"reason"}
  FlowReply not_solved(const std::string& session_id, const nlohmann::json& body);

  // A session as an agent should see it: flow, steps taken, answers with
  // the sensitive ones redacted, failures and why; nullopt if unknown.
  std::optional<nlohmann::json> handoff(const std::string& session_id);

  // The flows published now.
  std::shared_ptr<const FlowSet> flows() const;

 private:
  struct Loaded;
  std::optional<Loaded> load(const std::string& session_id, FlowReply& error);
  FlowReply run_actions(Loaded& loaded, flow::Advance advance);
  FlowReply reply(const Loaded& loaded, int status = 200) const;
  // Stores the session; with a reply key, remembers the reply and the
  // fingerprint of the request it answered.
  FlowReply save(Loaded& loaded, const std::string& reply_key, const std::string& fingerprint);

  FlowSet check(std::map<std::string, VersionedFlow> flows) const;

  mutable std::mutex mu_;
  std::shared_ptr<const FlowSet> current_;
  std::map<std::string, std::shared_ptr<const VersionedFlow>> by_version_;  // every version published while running
  FlowStore& store_;
  const Connectors& connectors_;
  std::function<std::int64_t()> now_ms_;
  std::function<std::string(std::int64_t)> today_;
  const IdentityVerifier* identity_;
};

// The flows of a compiled help center (dist/manifest.json + dist/flows/).
std::map<std::string, VersionedFlow> load_flows(const std::string& dist_dir);

}  // namespace firstfix::server
