#pragma once
// The movie catalog over HTTP:
//   POST   /v1/movies        (admin) 201 + the movie, Location: /v1/movies/{id}
//   GET    /v1/movies/{id}   (public) 404 for unknown or soft-deleted movies
//   PATCH  /v1/movies/{id}   (admin) only the members given change
//   DELETE /v1/movies/{id}   (admin) 204, soft delete
//   GET    /v1/movies        (public) ?genre=&year_from=&year_to=&q=&limit=&cursor= -> {items, next_cursor}
//   GET    /v1/genres        (public)
// Handlers only translate HTTP to MovieRepository calls; the rules live in src/catalog.
#include "http/router.h"

namespace cinerec {

class Authenticator;
namespace catalog {
class MovieRepository;
}

// REQUIRES: movies and auth outlive the router.
void RegisterCatalogRoutes(http::Router& router, catalog::MovieRepository& movies, Authenticator& auth);

}  // namespace cinerec
