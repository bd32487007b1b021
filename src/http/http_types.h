#pragma once
// Transport-neutral request and response: handlers see these, never Beast, so that the services stay plain
// code.
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cinerec::http {

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string target;                        // as received, e.g. "/v1/movies?limit=5"
  std::string path;                          // percent-decoded path, without the query
  std::map<std::string, std::string> query;  // decoded query parameters (the last of repeated keys wins)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string request_id;
  std::string remote_address;
  std::map<std::string, std::string> path_params;  // filled by the router: "/v1/movies/{id}" -> {"id": "42"}

  std::optional<std::string_view> Header(std::string_view lower_case_name) const;
  std::optional<std::string> Query(const std::string& name) const;
  const std::string& PathParam(const std::string& name) const;  // REQUIRES: the route declares it
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(int status, const boost::json::value& value);
  static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // {"error": {"code": code, "message": message}}
  static Response Error(int status, std::string_view code, std::string_view message);
};

}  // namespace cinerec::http
