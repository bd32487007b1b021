// Boost.JSON's compiled part for the fuzz targets (the main library's src/common/boost_sources.cpp also
// compiles Boost.URL, which the fuzzed code does not use).
#include <boost/json/src.hpp>
