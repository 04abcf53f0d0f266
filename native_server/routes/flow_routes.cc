// The flow API: list and describe flows, start a session, answer, go back,
// upload a photo for a step, say "this did not solve it". Every call that
// reads or writes the store runs on the flow executor.
#include "native_server/flows/flow_service.h"
#include "native_server/base/text.h"
#include "native_server/photos/image_check.h"
#include "native_server/routes/services.h"

namespace firstfix::server {
namespace {

Response reply(const Call& c, const FlowReply& r) { return json_response(c.req, static_cast<unsigned>(r.status), r.body); }

}  // namespace

void add_flow_routes(Router& router, const Services& s) {
  FlowService& flows = s.flows;
  router.add({.method = http::verb::get, .path = "/api/v1/flows", .operation_id = "listFlows",
              .handler = [&flows](Call& c) {
                return json_response(c.req, 200, {{"flows", flows.list(c.query_value("locale").value_or(""))}}, "public, max-age=60");
              },
              .cors = Cors::any_origin});

  router.add({.method = http::verb::get, .path = "/api/v1/flows/{id}", .operation_id = "getFlow",
              .handler = [&flows, s](Call& c) {
                const auto published = flows.flows();
                const auto content = s.content();
                auto it = published->flows.find(c.param("id"));
                auto definition = content->flow_definitions.find(c.param("id"));
                if (it == published->flows.end() || definition == content->flow_definitions.end())
                  throw HttpError(404, "no flow with id '" + printable(c.param("id"), 100) + "'");
                const flow::Flow& f = it->second->flow;
                return json_response(c.req, 200,
                                     {{"id", it->first}, {"title", f.title}, {"locale", f.locale}, {"intents", f.intents},
                                      {"requires_identity", f.requires_identity()}, {"definition", definition->second}},
                                     "public, max-age=60");
              },
              .cors = Cors::any_origin});

  router.add({.method = http::verb::post, .path = "/api/v1/flows/{id}/sessions", .operation_id = "startFlowSession",
              .handler = [&flows](Call& c) { return reply(c, flows.start(c.param("id"), c.body)); },
              .runs = Runs::flows, .body = Body::json, .cors = Cors::any_origin});

  router.add({.method = http::verb::get, .path = "/api/v1/sessions/{id}", .operation_id = "getFlowSession",
              .handler = [&flows](Call& c) { return reply(c, flows.get(c.param("id"))); },
              .runs = Runs::flows, .cors = Cors::any_origin});

  router.add({.method = http::verb::post, .path = "/api/v1/sessions/{id}/answers", .operation_id = "answerFlowStep",
              .handler = [&flows](Call& c) { return reply(c, flows.answer(c.param("id"), c.body, idempotency_key(c))); },
              .runs = Runs::flows, .body = Body::json, .cors = Cors::any_origin});

  router.add({.method = http::verb::post, .path = "/api/v1/sessions/{id}/back", .operation_id = "goBackInFlow",
              .handler = [&flows](Call& c) { return reply(c, flows.back(c.param("id"), c.body)); },
              .runs = Runs::flows, .body = Body::json, .cors = Cors::any_origin});

  router.add({.method = http::verb::post, .path = "/api/v1/sessions/{id}/not-solved", .operation_id = "reportFlowNotSolved",
              .handler = [&flows](Call& c) { return reply(c, flows.not_solved(c.param("id"), c.body)); },
              .runs = Runs::flows, .body = Body::json, .cors = Cors::any_origin});

  router.add({.method = http::verb::post, .path = "/api/v1/sessions/{id}/uploads", .operation_id = "uploadFlowPhoto",
              .handler = [&flows](Call& c) {
                return reply(c, flows.upload(c.param("id"), c.header(http::field::content_type), c.req.body()));
              },
              .runs = Runs::flows, .body = Body::bytes, .body_limit = kMaxImageBytes + 1, .cors = Cors::any_origin,
              .rate_limit = "uploads"});
}

}  // namespace firstfix::server
