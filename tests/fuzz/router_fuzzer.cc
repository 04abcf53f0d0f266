// HTTP requests as they come off the socket, through the whole server: the
// route table, its guard, the JSON bodies and every handler, with real
// content and real SQLite stores (demo mode, limits raised). A crash, a
// sanitizer's report, an answer that never comes or a 500 (an exception a
// handler let out) is a finding.
// Needs FIRSTFIX_FUZZ_DIST (`firstfix build content -o DIR`) and
// FIRSTFIX_FUZZ_WIDGET (the built widget); tests/fuzz/run.sh sets both.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "native_server/app.h"
#include "native_server/base/log.h"
#include "tests/fuzz/fuzz_input.h"

using namespace firstfix;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::unique_ptr<server::App> app;

std::string serialized(http::message_generator& answer) {
  std::string out;
  beast::error_code ec;
  while (!answer.is_done()) {
    auto buffers = answer.prepare(ec);
    if (ec) break;
    const size_t n = beast::buffer_bytes(buffers);
    out += beast::buffers_to_string(buffers);
    answer.consume(n);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dist = std::getenv("FIRSTFIX_FUZZ_DIST");
  const char* widget = std::getenv("FIRSTFIX_FUZZ_WIDGET");
  if (!dist || !widget) {
    std::fprintf(stderr, "router_fuzzer: set FIRSTFIX_FUZZ_DIST and FIRSTFIX_FUZZ_WIDGET (tests/fuzz/run.sh does)\n");
    std::exit(2);
  }
  const auto data = std::filesystem::temp_directory_path() / ("firstfix-router-fuzz-" + std::to_string(::getpid()));
  std::filesystem::remove_all(data);
  server::AppConfig config{.dist_dir = dist, .widget_dir = widget, .data_dir = data.string(), .search_threads = 1, .demo = true};
  for (auto& [name, limit] : config.limits) limit = {1e9, 1e9};
  server::log::set_level(server::log::parse_level("off"));
  app = std::make_unique<server::App>(config);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(16 * 1024);
  parser.body_limit(256 * 1024);
  beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;  // the session answers malformed requests itself (hostile.test.mjs)
  server::Request request = parser.release();
  if (beast::websocket::is_upgrade(request)) return 0;
  auto answered = std::make_shared<std::promise<std::string>>();
  auto answer = answered->get_future();
  app->handle(std::move(request), [answered](http::message_generator g) { answered->set_value(serialized(g)); }, "127.0.0.1");
  if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready) __builtin_trap();  // a request never answered
  const std::string text = answer.get();
  // A handler that lets an exception out is answered 500 by the router's
  // guard (with fixed text, never the exception's): any 500 is a finding.
  if (text.starts_with("HTTP/1.1 500")) __builtin_trap();
  return 0;
}
