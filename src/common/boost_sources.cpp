// Boost.JSON and Boost.URL are used header-only: their compiled parts are built once, here, instead of
// linking libboost_json / libboost_url (which Debian ships as separate packages we do not need).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
