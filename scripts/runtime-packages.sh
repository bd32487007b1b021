#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries BINARY...
# needs, one per line. deploy/Dockerfile uses it to install only what the
# built binary links against in the slim runtime image, so the list never
# drifts from the CMake link line.
#
# Usage: scripts/runtime-packages.sh BINARY...
set -euo pipefail

(($# > 0)) || {
  echo "usage: $0 BINARY..." >&2
  exit 2
}

find_package() {
  local lib=$1 real
  real=$(readlink -f "${lib}")
  # Debian 12 is "merged /usr": ldd may report /lib/... while dpkg knows the
  # file as /usr/lib/... (or the other way round), and by either its symlink
  # name or its real name. Try each spelling.
  local path
  for path in "${lib}" "${real}" "/usr${lib}" "/usr${real}" "${lib#/usr}" "${real#/usr}"; do
    if dpkg-query -S "${path}" 2>/dev/null | head -n 1 | cut -d: -f1; then
      return 0
    fi
  done
  echo "runtime-packages: no package owns ${lib}" >&2
  return 1
}

for binary in "$@"; do
  # "libfoo.so.1 => /usr/lib/x86_64-linux-gnu/libfoo.so.1 (0x...)"
  ldd "${binary}" | awk '$2 == "=>" && $3 ~ /^\// {print $3}'
done | sort -u | while read -r lib; do
  find_package "${lib}"
done | sort -u
