// The request and response types the server's handlers see.
#pragma once

#include <boost/beast/http.hpp>
#include <boost/beast/http/message_generator.hpp>

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <string>

namespace firstfix::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Handlers answer through a callback so slow work can leave the I/O thread.
// Any message converts (a string body, or a file body for large files).
using Respond = std::function<void(http::message_generator)>;
// `client`: the address the request came from (ServerOptions::trust_proxy).
using Handler = std::function<void(Request&&, Respond, const std::string& client)>;

// A JSON error body: {"error": message}, with the given status.
Response json_error(const Request& req, http::status status, const std::string& message);
Response make_response(const Request& req, http::status status, std::string content_type, std::string body);
// A JSON answer (gzipped when the client takes it and it pays).
Response json_response(const Request& req, unsigned status, const nlohmann::json& body, const char* cache_control = "no-store");

}  // namespace firstfix::server
