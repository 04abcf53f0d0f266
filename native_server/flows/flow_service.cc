#include "native_server/flows/flow_service.h"


#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/content/manifest.h"
#include "core/flow/engine.h"
#include "core/flow/step_view.h"
#include "core/render/markdown.h"
#include "native_server/photos/image_check.h"
#include "native_server/base/clock.h"
#include "native_server/base/crypto.h"
#include "native_server/base/local_time.h"

namespace firstfix::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr size_t kMaxReasonLength = 2000;
// How long an answer holds the right to run a step's action: longer than a
// webhook can take with all its retries. If the server dies holding it, the
// customer's retry runs the action after this (under the same idempotency key).
constexpr std::chrono::milliseconds kActionClaim = std::chrono::minutes(10);

std::string random_id(const char* prefix, size_t bytes) { return prefix + random_hex(bytes); }

std::string new_session_id() { return random_id("fs_", 16); }

FlowReply error(int status, const std::string& message, json extra = json::object()) {
  extra["error"] = message;
  return {status, extra};
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

Connector* Connectors::find(const std::string& name) const {
  auto dot = name.find('.');
  auto it = by_prefix_.find(name.substr(0, dot));
  return dot == std::string::npos || it == by_prefix_.end() ? nullptr : it->second.get();
}

std::map<std::string, VersionedFlow> load_flows(const std::string& dist_dir) {
  const fs::path dist(dist_dir);
  const json manifest = json::parse(read_text(dist / std::string(content::kManifestFile)));
  std::map<std::string, VersionedFlow> flows;
  for (const auto& entry : manifest["flows"]) {
    const std::string file = entry["file"].get<std::string>();
    const std::string text = read_text(dist / file);
    base::Diagnostics diagnostics;
    auto f = flow::parse_flow(file, text, diagnostics);
    if (!f) throw std::runtime_error(diagnostics.empty() ? file + ": malformed flow" : diagnostics[0].to_string());
    const std::string id = f->id;
    flows.emplace(id, VersionedFlow{std::move(*f), entry["hash"].get<std::string>()});  // the manifest's hash of the file
  }
  return flows;
}

struct FlowService::Loaded {
  StoredSession stored;
  std::shared_ptr<const VersionedFlow> version;  // keeps `flow` alive
  const flow::Flow* flow = nullptr;
  flow::Session session;
  std::vector<std::string> notices;  // outcome reasons met while answering, for the customer
};

FlowService::FlowService(std::map<std::string, VersionedFlow> flows, FlowStore& store, const Connectors& connectors,
                         std::function<std::int64_t()> now_ms, std::function<std::string(std::int64_t)> today,
                         const IdentityVerifier* identity)
    : store_(store), connectors_(connectors), now_ms_(or_system_clock(std::move(now_ms))), today_(std::move(today)), identity_(identity) {
  if (!today_) today_ = [](std::int64_t at_ms) { return local_time(at_ms, "UTC")->date; };
  publish(std::move(flows));
}

FlowSet FlowService::check(std::map<std::string, VersionedFlow> flows) const {
  // A flow naming a connector nobody serves would fail in front of a
  // customer: it is switched off, with the reason, and the rest of the help
  // center is served.
  FlowSet set;
  for (auto& [id, versioned] : flows) {
    std::string why;
    for (const auto& [step_id, step] : versioned.flow.steps) {
      if (step.kind != flow::StepKind::kAction || !why.empty()) continue;
      const Connector* c = connectors_.find(step.connector);
      const std::string problem =
          c ? c->problem(step.connector) : "no connector serves '" + step.connector.substr(0, step.connector.find('.')) + ".*'";
      if (!problem.empty()) why = "step '" + step_id + "' uses connector '" + step.connector + "': " + problem;
    }
    if (why.empty()) set.flows[id] = std::make_shared<const VersionedFlow>(std::move(versioned));
    else set.off[id] = why;
  }
  return set;
}

void FlowService::publish(std::map<std::string, VersionedFlow> flows) {
  auto set = std::make_shared<const FlowSet>(check(std::move(flows)));
  std::lock_guard lock(mu_);
  for (const auto& [id, f] : set->flows) by_version_.try_emplace(f->version, f);
  current_ = std::move(set);
}

std::shared_ptr<const FlowSet> FlowService::flows() const {
  std::lock_guard lock(mu_);
  return current_;
}

json FlowService::list(const std::string& locale) const {
  json out = json::array();
  for (const auto& [id, versioned] : flows()->flows)
    if (const flow::Flow& f = versioned->flow; locale.empty() || f.locale == locale)
      out.push_back({{"id", id}, {"title", f.title}, {"locale", f.locale}, {"intents", f.intents}, {"requires_identity", f.requires_identity()}});
  return out;
}

FlowReply FlowService::reply(const Loaded& l, int status) const {
  const std::string today = today_(now_ms_());
  json step = flow::step_view(*l.flow, l.session, today);
  // Markdown is for authors; clients get sanitized HTML and plain text.
  const auto rendered = render::render_markdown(step["message"].get<std::string>(), [](const std::string& url, int, int) { return url; });
  step.erase("message");
  step["message_html"] = rendered.html;
  step["message_text"] = rendered.text;
  return {status,
          {{"session",
            {{"id", l.stored.id},
             {"link", public_link("fl_", l.stored.id)},  // for analytics events: names the session without granting it
             {"flow", l.flow->id},
             {"flow_title", l.flow->title},
             {"locale", l.flow->locale},
             {"done", l.session.done()},
             {"done_state", l.session.done_state},
             {"failures", l.session.failures()},
             {"failure_reasons", l.session.failure_reasons},
             {"identified", l.session.identity.is_object()},  // by a signature the server verified
             {"today", today}}},  // the help center's date: the widget's instant checks use it
           {"step", step},
           {"notices", l.notices}}};
}

std::optional<FlowService::Loaded> FlowService::load(const std::string& session_id, FlowReply& failure) {
  auto stored = store_.find_session(session_id);
  if (!stored) {
    failure = error(404, "no flow session with id '" + session_id + "'");
    return std::nullopt;
  }
  // The version it started on; else (published before this server started) the one published now, if it still has the step.
  std::shared_ptr<const VersionedFlow> f;
  {
    std::lock_guard lock(mu_);
    if (auto v = by_version_.find(stored->flow_version); v != by_version_.end() && v->second->flow.id == stored->flow_id) f = v->second;
    else if (auto now = current_->flows.find(stored->flow_id); now != current_->flows.end()) f = now->second;
  }
  if (!f) {
    failure = error(410, "flow '" + stored->flow_id + "' is no longer published");
    return std::nullopt;
  }
  Loaded l;
  l.session = flow::session_from_json(stored->state);
  if (!f->flow.steps.count(l.session.step)) {
    failure = error(410, "flow '" + stored->flow_id + "' changed since this session started; start it again");
    return std::nullopt;
  }
  l.stored = std::move(*stored);
  l.flow = &f->flow;
  l.version = std::move(f);
  return l;
}

FlowReply FlowService::run_actions(Loaded& l, flow::Advance advance) {
  while (advance.kind == flow::Advance::Kind::kRunAction) {
    const flow::Step& step = l.flow->step(l.session.step);
    ActionRequest request{advance.connector, advance.input,
                          l.stored.id + "/" + std::to_string(l.session.history.size()) + "/" + step.id, l.flow->id, l.stored.id};
    AuditEntry audit;
    audit.at_ms = now_ms_();
    audit.flow_id = l.flow->id;
    audit.session_id = l.stored.id;
    audit.step = step.id;
    audit.connector = step.connector;
    audit.idempotency_key = request.idempotency_key;
    audit.input = flow::redact_sensitive(*l.flow, l.session, request.input);
    ActionResult result;
    if (auto done = store_.find_action(request.idempotency_key)) {
      result = {done->outcome, done->data};
      audit.outcome = result.outcome;
      audit.replayed = true;
      store_.append_audit(audit);
    } else {
      // Of two answers racing to run the same action (on this server or
      // another), one claims it and the other is told to look again.
      if (!store_.claim_action(request.idempotency_key, now_ms_(), now_ms_() + kActionClaim.count()))
        return error(409, "this step is being completed in another request; fetch the session and try again");
      Connector* connector = connectors_.find(step.connector);
      const auto t0 = std::chrono::steady_clock::now();
      try {
        if (!connector) throw ConnectorError("connector '" + step.connector + "' is not configured");
        result = connector->run(request);
      } catch (const ConnectorError& e) {
        audit.error = e.what();
        audit.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        store_.append_audit(audit);
        store_.release_action(request.idempotency_key);
        return error(502, "this step could not be completed right now (" + std::string(e.what()) +
                              "); nothing was changed, so it is safe to try again");
      } catch (...) {
        store_.release_action(request.idempotency_key);
        throw;
      }
      audit.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      audit.outcome = result.outcome;
      store_.record_action({request.idempotency_key, result.outcome, result.data}, audit);
    }
    // What the customer should read about this outcome ("That code didn't match").
    if (auto o = step.outcomes.find(result.outcome); o != step.outcomes.end() && !o->second.reason.empty()) l.notices.push_back(o->second.reason);
    advance = flow::record_action(*l.flow, l.session, result.outcome, result.data, today_(now_ms_()));
  }
  return {200, {}};
}

FlowReply FlowService::save(Loaded& l, const std::string& reply_key, const std::string& fingerprint) {
  FlowReply r = reply(l);
  const json remembered = {{"request", fingerprint}, {"reply", r.body}};
  if (!store_.update_session(l.stored.id, flow::to_json(*l.flow, l.session, false), l.stored.version, now_ms_(), reply_key, remembered))
    return error(409, "this session changed in another request; fetch it and try again");
  return r;
}

FlowReply FlowService::start(const std::string& flow_id, const json& body) {
  const auto published = flows();
  auto f = published->flows.find(flow_id);
  if (auto off = published->off.find(flow_id); off != published->off.end())
    return error(503, "the flow '" + flow_id + "' is switched off on this server (" + off->second + ")");
  if (f == published->flows.end()) return error(404, "no flow with id '" + flow_id + "'");
  if (!body.is_object()) return error(400, "the body must be a JSON object");
  for (const auto& [key, value] : body.items())
    if (key != "context" && key != "identity") return error(400, "unknown field '" + key + "' (expected context, identity)");
  const json context = body.value("context", json::object());
  if (!context.is_object() || context.size() > 10) return error(400, "field 'context' must be a JSON object, like {\"page\": \"/orders\"}");
  for (const auto& [key, value] : context.items())
    if (!value.is_string() || value.get_ref<const std::string&>().size() > 2000)
      return error(400, "field 'context." + key + "' must be text of at most 2000 bytes");
  // Only what the host site signed: a browser's claim proves nothing.
  json verified;
  if (auto given = body.find("identity"); given != body.end() && !given->is_null()) {
    static const IdentityVerifier kNone;
    Identity checked;
    try {
      checked = (identity_ ? *identity_ : kNone).check(*given);
    } catch (const std::invalid_argument& e) {
      return error(400, e.what());
    }
    if (!checked.problem.empty()) return error(401, "the customer's identity was refused: " + checked.problem);
    verified = checked.verified;
  }
  Loaded l;
  l.version = f->second;
  l.flow = &l.version->flow;
  l.stored.id = new_session_id();
  l.stored.flow_id = flow_id;
  l.stored.flow_version = l.version->version;
  flow::Advance a;
  try {
    a = flow::start(*l.flow, l.session, today_(now_ms_()), verified);
  } catch (const std::invalid_argument&) {
    return error(403, "the flow '" + flow_id + "' is for customers signed in on the site: " +
                          (identity_ && identity_->enabled() ? std::string("sign in first, then start it again")
                                                             : std::string("this server does not verify identities (FIRSTFIX_IDENTITY_SECRET is not set)")));
  }
  // Actions at the start run before the session is stored: a start that
  // fails leaves nothing behind.
  if (FlowReply r = run_actions(l, a); r.status != 200) return r;
  l.stored.state = flow::to_json(*l.flow, l.session, false);
  l.stored.context = context;
  l.stored.created_ms = l.stored.updated_ms = now_ms_();
  store_.create_session(l.stored);
  return reply(l, 201);
}

FlowReply FlowService::get(const std::string& session_id) {
  FlowReply failure;
  auto l = load(session_id, failure);
  return l ? reply(*l) : failure;
}

FlowReply FlowService::answer(const std::string& session_id, const json& body, const std::string& idempotency_key) {
  if (idempotency_key.size() > 200) return error(400, "Idempotency-Key is longer than 200 characters");
  if (!body.is_object()) return error(400, "the body must be a JSON object: {\"step\": ..., \"answers\": {...}}");
  for (const auto& [key, value] : body.items())
    if (key != "step" && key != "answers") return error(400, "unknown field '" + key + "' (expected step, answers)");
  if (!body.contains("step") || !body["step"].is_string()) return error(400, "field 'step' must name the step being answered");
  const json answers = body.value("answers", json::object());
  if (!answers.is_object()) return error(400, "field 'answers' must be a JSON object");
  // A key names one request: the same request gets the first reply again;
  // another request under the same key is a client bug, refused.
  const std::string fingerprint = sha256_hex(json{{"step", body["step"]}, {"answers", answers}}.dump());
  if (!idempotency_key.empty())
    if (auto replay = store_.find_reply(session_id, "answer:" + idempotency_key)) {
      if (!replay->contains("request")) return {200, *replay};  // remembered before requests were fingerprinted
      if ((*replay)["request"] != fingerprint)
        return error(422, "this Idempotency-Key was used for a different answer; use a new key for a new answer");
      return {200, (*replay)["reply"]};
    }
  FlowReply failure;
  auto l = load(session_id, failure);
  if (!l) return failure;
  const std::string step = body["step"].get<std::string>();
  if (l->session.done()) return error(409, "this flow has already ended", reply(*l).body);
  if (step != l->session.step)
    return error(409, "this answer is for step '" + step + "', but the flow is at step '" + l->session.step + "'", reply(*l).body);
  // A photo's answer is an upload of this session's: the engine checks the
  // shape, only the store knows whose it is.
  std::vector<flow::FieldError> upload_errors;
  for (const auto& f : l->flow->step(step).fields)
    if (auto v = answers.find(f.name); f.type == flow::FieldType::kPhoto && v != answers.end() && v->is_string() && !v->get<std::string>().empty()) {
      auto u = store_.find_upload(v->get<std::string>(), false);
      if (!u || u->session_id != session_id)
        upload_errors.push_back({f.name, (f.label.empty() ? f.name : f.label) + (l->flow->locale == "es" ? ": vuelve a adjuntar la foto." : ": attach the photo again.")});
    }
  flow::Advance a = upload_errors.empty() ? flow::submit(*l->flow, l->session, step, answers, today_(now_ms_())) : flow::Advance{flow::Advance::Kind::kInvalid, upload_errors, "", {}};
  if (a.kind == flow::Advance::Kind::kInvalid) {
    FlowReply r = reply(*l, 422);
    json errors = json::array();
    for (const auto& e : a.errors) errors.push_back({{"field", e.field}, {"message", e.message}});
    r.body["errors"] = errors;
    r.body["error"] = "some answers need attention";
    return r;
  }
  if (FlowReply r = run_actions(*l, a); r.status != 200) return r;
  return save(*l, idempotency_key.empty() ? "" : "answer:" + idempotency_key, fingerprint);
}

FlowReply FlowService::back(const std::string& session_id, const json& body) {
  if (!body.is_object() || !body.contains("step") || !body["step"].is_string())
    return error(400, "the body must be {\"step\": <the step shown>}");
  FlowReply failure;
  auto l = load(session_id, failure);
  if (!l) return failure;
  if (body["step"] != l->session.step)
    return error(409, "the flow is at step '" + l->session.step + "', not '" + body["step"].get<std::string>() + "'", reply(*l).body);
  if (!flow::go_back(*l->flow, l->session))
    return error(409, "going back is not possible here: an earlier step has already been carried out", reply(*l).body);
  return save(*l, "", "");
}

std::optional<json> FlowService::handoff(const std::string& session_id) {
  FlowReply failure;
  auto l = load(session_id, failure);
  if (!l) return std::nullopt;
  json state = flow::to_json(*l->flow, l->session, /*redact=*/true);
  state["title"] = l->flow->title;
  state["page"] = l->stored.context.value("page", "");
  state["started_ms"] = l->stored.created_ms;
  return state;
}

FlowReply FlowService::upload(const std::string& session_id, const std::string& content_type, const std::string& bytes) {
  // The session first: checking a photo costs far more than reading a row.
  FlowReply failure;
  auto l = load(session_id, failure);
  if (!l) return failure;
  if (l->session.done()) return error(409, "this flow has already ended");
  auto step = l->flow->steps.find(l->session.step);
  const bool asks_for_photo = step != l->flow->steps.end() &&
                              std::any_of(step->second.fields.begin(), step->second.fields.end(),
                                          [](const flow::Field& f) { return f.type == flow::FieldType::kPhoto; });
  if (!asks_for_photo) return error(409, "the current step does not ask for a photo");
  if (store_.count_uploads(session_id) >= kMaxUploadsPerSession)
    return error(429, "this session already has " + std::to_string(kMaxUploadsPerSession) + " photos");
  CheckedImage image;
  try {
    image = clean_image(bytes, content_type);
  } catch (const ImageError& e) {
    return error(e.status(), e.what());
  }
  Upload u{random_id("up_", 12), session_id, image.content_type, sha256_hex(image.bytes), std::move(image.bytes), now_ms_()};
  store_.create_upload(u);
  return {201, {{"upload", u.id}, {"content_type", u.content_type}, {"bytes", u.bytes.size()}, {"sha256", u.sha256},
                {"width", image.width}, {"height", image.height}}};
}

std::size_t FlowService::delete_stale_uploads() {
  return store_.delete_unreferenced_uploads(now_ms_() - kUnreferencedUploadMs);
}

FlowReply FlowService::not_solved(const std::string& session_id, const json& body) {
  if (!body.is_object()) return error(400, "the body must be a JSON object: {\"reason\": ...}");
  const json reason = body.value("reason", json(""));
  if (!reason.is_string() || reason.get<std::string>().size() > kMaxReasonLength)
    return error(400, "field 'reason' must be text of at most " + std::to_string(kMaxReasonLength) + " bytes");
  FlowReply failure;
  auto l = load(session_id, failure);
  if (!l) return failure;
  flow::record_not_solved(l->session, reason.get<std::string>());
  return save(*l, "", "");
}

}  // namespace firstfix::server
