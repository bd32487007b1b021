#!/usr/bin/env bash
# Installs every Debian 12 package cinerec needs to build, test and run its
# local stack. Idempotent: when everything is already installed it returns at
# once, without touching the network (apt-get update is slow and needs access
# to the package mirror).
#
# Usage: scripts/install-deps.sh
set -euo pipefail

# One list, grouped by purpose. Keep it in sync with docs and deploy/Dockerfile
# (which simply runs this script).
PACKAGES=(
  # --- build: compiler, build tools, libraries the C++ code links against ---
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev          # Beast, Asio, JSON, URL (header-only parts)
  libpq-dev                 # PostgreSQL client (libpq)
  libhiredis-dev            # Redis client
  libcurl4-openssl-dev      # S3 and ClickHouse over HTTP (SigV4 built in)
  zlib1g-dev                # crc32 of spool records
  libssl-dev                # hashes / HMAC / TLS
  libeigen3-dev libopenblas-dev   # scoring and training linear algebra
  libspdlog-dev libfmt-dev  # logging and formatting
  libcli11-dev              # command line
  libtomlplusplus-dev       # configuration files
  libgtest-dev libgmock-dev libbenchmark-dev   # tests and benchmarks
  libargon2-dev             # password hashing
  libpugixml-dev            # S3's XML answers
  libjemalloc-dev           # the server's allocator (release builds)
  prometheus-cpp-dev        # /metrics (Prometheus client library, core)
  clang libclang-rt-14-dev clang-format        # libFuzzer, sanitizers, formatting
  # --- servers: the local stack started by scripts/stack.sh ---
  postgresql
  redis-server
  clickhouse-server clickhouse-client
  memcached                 # Swift's token/auth cache
  swift swift-proxy swift-object swift-container swift-account   # S3 via s3api
  python3-swiftclient
  # --- tools: real clients for checks, load generation, helpers ---
  awscli curl wrk nginx-light procps iproute2 xz-utils bc
)

# Prints the packages of PACKAGES that are not fully installed.
missing_packages() {
  local status
  # dpkg-query exits non-zero when a package was never known to dpkg; its
  # output still lists the known ones, so ignore the exit code and compare.
  status=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! grep -qx "${pkg} install ok installed" <<<"${status}"; then
      echo "${pkg}"
    fi
  done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
  echo "deps: all present"
  exit 0
fi
echo "deps: missing ${#missing[@]} package(s): ${missing[*]}"

# apt needs root; use sudo only when we are not root and it exists.
SUDO=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "deps: must run as root (sudo not found)" >&2
    exit 1
  fi
fi

# The server packages' postinst scripts try to start their system services
# (on the default ports, which we never use). Without systemd (containers,
# CI) invoke-rc.d would fall back to init.d scripts, which may fail and then
# make dpkg fail the install ("invoke-rc.d ... || exit 1"). A policy-rc.d that
# answers 101 ("action forbidden") makes invoke-rc.d skip the start cleanly.
# Only installed for the duration of the install, only if none exists, and
# only when systemd is not running (a systemd host starts them fine).
POLICY=/usr/sbin/policy-rc.d
policy_added=0
cleanup() {
  if ((policy_added)); then
    "${SUDO[@]}" rm -f "${POLICY}"
  fi
}
trap cleanup EXIT
if [[ ! -d /run/systemd/system && ! -e "${POLICY}" ]]; then
  printf '#!/bin/sh\n# added by cinerec scripts/install-deps.sh during apt-get install\nexit 101\n' |
    "${SUDO[@]}" tee "${POLICY}" >/dev/null
  "${SUDO[@]}" chmod 755 "${POLICY}"
  policy_added=1
fi

"${SUDO[@]}" apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${PACKAGES[@]}"

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} != 0)); then
  echo "deps: still missing after install: ${missing[*]}" >&2
  exit 1
fi
echo "deps: installed"
