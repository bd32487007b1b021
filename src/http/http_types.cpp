#include "http/http_types.h"

#include <boost/json.hpp>

namespace cinerec::http {

std::optional<std::string_view> Request::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_case_name) return std::string_view(value);
  return std::nullopt;
}

std::optional<std::string> Request::Query(const std::string& name) const {
  if (auto it = query.find(name); it != query.end()) return it->second;
  return std::nullopt;
}

const std::string& Request::PathParam(const std::string& name) const {
  return path_params.at(name);
}

Response Response::Json(int status, const boost::json::value& value) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(value);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::Error(int status, std::string_view code, std::string_view message) {
  return Json(status, {{"error", {{"code", code}, {"message", message}}}});
}

}  // namespace cinerec::http
