#pragma once
// HTTP adapters of the recommendation role:
//   GET /v1/users/{id}/recommendations?limit=&genre=&exclude=&explain=   (a viewer: only their own id)
//   GET /v1/me/recommendations?...                                        (the signed-in viewer)
//   GET /v1/movies/{id}/similar?limit=                                    (anyone; a viewer's rules apply)
// Parameters: limit 1..100 (default 20); genre: one or more comma-separated genre names of the catalogue;
// exclude: up to 500 comma-separated movie ids; explain: true/false. Bad values -> 4xx JSON errors.
#include <functional>
#include <string_view>

#include "http/router.h"

namespace cinerec {

class Authenticator;
namespace recommend {
class RecommendService;
struct RecommendResult;
}  // namespace recommend

// Told about every answered request: the endpoint ("recommendations" or "similar") and the result.
using RecommendObserver = std::function<void(std::string_view endpoint, const recommend::RecommendResult&)>;

// REQUIRES: service and auth outlive the router.
void RegisterRecommendRoutes(http::Router& router, recommend::RecommendService& service, Authenticator& auth,
                             RecommendObserver observe = {});

}  // namespace cinerec
