#pragma once
// FUZZ_CHECK(condition, what): an invariant of the code under test. On failure it prints the condition and
// what was being checked, then aborts, which libFuzzer reports as a crash and saves the input for.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                                                      \
  do {                                                                                                   \
    if (!(condition)) {                                                                                  \
      std::fprintf(stderr, "\nFUZZ_CHECK failed at %s:%d: %s\n  (%s)\n", __FILE__, __LINE__, #condition, \
                   static_cast<const char*>(what));                                                      \
      std::abort();                                                                                      \
    }                                                                                                    \
  } while (false)
