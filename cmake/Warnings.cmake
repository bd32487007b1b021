# Warnings are errors for our own code. Applied per target (cinerec_warnings), never to dependencies.
add_library(cinerec_warnings INTERFACE)
target_compile_options(cinerec_warnings INTERFACE
  # -Wnull-dereference is left out: GCC 12 reports false positives inside Boost.URL at -O2 and above.
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2
  # GCC 12's flow-based warnings misfire on std::string inlined at -O3 (GCC bugs 105329, 105651):
  # keep them out of -Werror rather than rewrite correct code around them.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread -Wno-restrict>)
