#!/usr/bin/env bash
# Local stack for cinerec: PostgreSQL, Redis, ClickHouse and an S3 endpoint
# (OpenStack Swift + s3api, with memcached) as plain background processes on
# 127.0.0.1 -- no Docker, no systemd.
#
# Usage: scripts/stack.sh COMMAND [SERVER] [--instance run|test]
#   up                 start every server that is not running, wait until each
#                      answers, create database/bucket "cinerec", write env.sh
#   down               stop every server of the instance
#   status             one line per server; exit code 3 unless all answer
#   env                print the export lines the service reads
#   stop-one SERVER    stop one store: postgres | redis | clickhouse | s3
#   start-one SERVER   start it again and wait until it answers
#                      (also accepted: memcached, swift-account,
#                      swift-container, swift-object, swift-proxy)
#
# Instances ("run", the default, and "test") use separate ports and separate
# folders (.local/NAME/ at the repository root), so both can be up at once.
# Every server is stopped by its own recorded PID, never by process name.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(dirname "${SCRIPT_DIR}")
TEMPLATES="${ROOT}/deploy/local"
readonly SCRIPT_DIR ROOT TEMPLATES

# Binaries; overridable for unusual installs.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# /usr/bin/aws explicitly: an older pip-installed "aws" may come first on PATH.
AWS_BIN=${AWS_BIN:-/usr/bin/aws}
READY_TIMEOUT=${CINEREC_STACK_TIMEOUT:-60} # seconds per server to answer
STOP_TIMEOUT=20                            # seconds before SIGKILL
readonly PG_BIN AWS_BIN READY_TIMEOUT STOP_TIMEOUT

readonly DB_NAME=cinerec BUCKET=cinerec
readonly S3_ACCESS_KEY=test:tester S3_SECRET_KEY=testing S3_REGION=us-east-1

# Start order (storage before the Swift proxy, memcached before the proxy);
# stopping goes the other way.
readonly SERVERS=(postgres redis clickhouse memcached
  swift-account swift-container swift-object swift-proxy)

die() {
  echo "stack: $*" >&2
  exit 1
}

usage() {
  sed -n '2,19s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

# ---------------------------------------------------------------- instance

# Sets ports and folders for instance $1.
select_instance() {
  INSTANCE=$1
  case "${INSTANCE}" in
  run)
    PG_PORT=15432 REDIS_PORT=16379 CH_HTTP_PORT=18123 CH_TCP_PORT=19000
    CH_INTERSERVER_PORT=19009 S3_PORT=18080 MEMCACHED_PORT=11311
    SWIFT_OBJECT_PORT=16200 SWIFT_CONTAINER_PORT=16201 SWIFT_ACCOUNT_PORT=16202
    ;;
  test)
    PG_PORT=25432 REDIS_PORT=26379 CH_HTTP_PORT=28123 CH_TCP_PORT=29000
    CH_INTERSERVER_PORT=29009 S3_PORT=28080 MEMCACHED_PORT=21311
    SWIFT_OBJECT_PORT=26200 SWIFT_CONTAINER_PORT=26201 SWIFT_ACCOUNT_PORT=26202
    ;;
  *) die "unknown instance '${INSTANCE}' (run or test)" ;;
  esac
  INST_DIR="${ROOT}/.local/${INSTANCE}"
  PID_DIR="${INST_DIR}/pids"
  LOG_DIR="${INST_DIR}/logs"
  PG_DIR="${INST_DIR}/postgres"
  PG_DATA="${PG_DIR}/data"
  # Unix socket paths are limited to 107 bytes; a deep clone falls back to
  # /tmp (the port in the socket's name keeps instances apart).
  PG_SOCK="${PG_DIR}/sock"
  if ((${#PG_SOCK} > 80)); then
    PG_SOCK=/tmp
  fi
  REDIS_DIR="${INST_DIR}/redis"
  CH_DIR="${INST_DIR}/clickhouse"
  SWIFT_DIR="${INST_DIR}/swift"
  SWIFT_ETC="${SWIFT_DIR}/etc"
  AWS_CONFIG="${INST_DIR}/aws.config"
}

# The port a server is reached on (the first one, for ClickHouse).
port_of() {
  case "$1" in
  postgres) echo "${PG_PORT}" ;;
  redis) echo "${REDIS_PORT}" ;;
  clickhouse) echo "${CH_HTTP_PORT}" ;;
  memcached) echo "${MEMCACHED_PORT}" ;;
  swift-account) echo "${SWIFT_ACCOUNT_PORT}" ;;
  swift-container) echo "${SWIFT_CONTAINER_PORT}" ;;
  swift-object) echo "${SWIFT_OBJECT_PORT}" ;;
  swift-proxy) echo "${S3_PORT}" ;;
  *) die "unknown server '$1'" ;;
  esac
}

# Every port a server listens on (checked for conflicts before starting).
ports_of() {
  case "$1" in
  clickhouse) echo "${CH_HTTP_PORT} ${CH_TCP_PORT} ${CH_INTERSERVER_PORT}" ;;
  *) port_of "$1" ;;
  esac
}

# A string that the server's command line contains: guards against a PID
# file whose PID now belongs to an unrelated process (e.g. after a reboot).
cmdline_marker() {
  case "$1" in
  postgres) echo "postgres" ;;
  redis) echo "redis-server" ;;
  clickhouse) echo "clickhouse" ;;
  memcached) echo "memcached" ;;
  swift-proxy) echo "swift-proxy-server" ;;
  swift-*) echo "$1-server" ;;
  *) die "unknown server '$1'" ;;
  esac
}

pid_file() {
  echo "${PID_DIR}/$1.pid"
}

# ---------------------------------------------------------------- processes

# True if PID exists and is not a zombie (a zombie would fool kill -0 when
# the container's PID 1 does not reap).
is_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n ${state} && ${state} != Z ]]
}

# Prints the PID of a running server of this instance; fails if none.
pid_of() {
  local server=$1 file pid
  if [[ ${server} == postgres ]]; then
    # PostgreSQL keeps its own PID file; its first line is the postmaster.
    file="${PG_DATA}/postmaster.pid"
  else
    file=$(pid_file "${server}")
  fi
  [[ -r ${file} ]] || return 1
  read -r pid <"${file}" || return 1
  [[ ${pid} =~ ^[0-9]+$ ]] || return 1
  is_alive "${pid}" || return 1
  tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null |
    grep -qF -- "$(cmdline_marker "${server}")" || return 1
  echo "${pid}"
}

# True if something listens on 127.0.0.1:PORT (or on every address).
port_busy() {
  [[ -n $(ss -Hltn "sport = :$1" 2>/dev/null) ]]
}

# Fails if a port the server needs is taken by some other process (another
# checkout's stack, a system service, ...), which would otherwise show up
# only as a confusing timeout.
check_ports_free() {
  local server=$1 port
  for port in $(ports_of "${server}"); do
    if port_busy "${port}"; then
      die "${server}: port ${port} is already in use by another process (ss -ltnp 'sport = :${port}')"
    fi
  done
}

# Runs SERVER's command in the background, detached into its own session so
# that a Ctrl-C or a test runner killing its process group does not take the
# server down. The inner shell records its own PID and then execs the server,
# so the PID file holds the server's PID however setsid forks.
# fd 9 (the instance lock) is closed so the server does not keep it held.
launch() {
  local server=$1 pidfile log i
  shift
  pidfile=$(pid_file "${server}")
  log="${LOG_DIR}/${server}.log"
  rm -f "${pidfile}"
  echo "=== $(date '+%F %T') starting: $*" >>"${log}"
  # shellcheck disable=SC2016 # $$, $0 and $@ belong to the inner shell
  setsid /bin/sh -c 'echo "$$" >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' \
    "${pidfile}" "$@" </dev/null >>"${log}" 2>&1 9>&- &
  for ((i = 0; i < 50; i++)); do
    [[ -s ${pidfile} ]] && return 0
    sleep 0.1
  done
  die "${server}: did not start (no PID file after 5 s); see ${log}"
}

# Stops the given servers: SIGTERM to all at once, then waits for each (up to
# STOP_TIMEOUT seconds) and SIGKILLs what is left. PostgreSQL goes through
# pg_ctl (fast mode) so that it shuts down cleanly.
stop_servers() {
  local server pid deadline i
  local -a names=() pids=()
  local with_postgres=0
  for server in "$@"; do
    if [[ ${server} == postgres ]]; then
      with_postgres=1
    elif pid=$(pid_of "${server}"); then
      kill -TERM "${pid}" 2>/dev/null || true
      names+=("${server}")
      pids+=("${pid}")
    else
      rm -f "$(pid_file "${server}")"
      echo "${server}: already stopped"
    fi
  done
  if ((with_postgres)); then
    stop_postgres # while the others shut down
  fi
  deadline=$((SECONDS + STOP_TIMEOUT))
  for i in "${!pids[@]}"; do
    while is_alive "${pids[i]}" && ((SECONDS < deadline)); do
      sleep 0.1
    done
    if is_alive "${pids[i]}"; then
      kill -KILL "${pids[i]}" 2>/dev/null || true
      echo "${names[i]}: killed (pid ${pids[i]}, no exit ${STOP_TIMEOUT} s after SIGTERM)"
    else
      echo "${names[i]}: stopped"
    fi
    rm -f "$(pid_file "${names[i]}")"
  done
}

# ---------------------------------------------------------------- helpers

# render TEMPLATE DEST KEY=VALUE...: copies deploy/local/TEMPLATE to DEST,
# replacing each @KEY@ by VALUE (pure bash: no escaping trouble with paths).
render() {
  local template="${TEMPLATES}/$1" dest=$2 text kv key value
  shift 2
  [[ -r ${template} ]] || die "missing template ${template}"
  text=$(<"${template}")
  for kv in "$@"; do
    key=${kv%%=*}
    value=${kv#*=}
    # Quoted replacement: bash 5.2 would otherwise expand '&' in it.
    text=${text//"@${key}@"/"${value}"}
  done
  if [[ ${text} =~ @[A-Z_]+@ ]]; then
    die "template $1: placeholder ${BASH_REMATCH[0]} not filled"
  fi
  printf '%s\n' "${text}" >"${dest}.tmp"
  mv "${dest}.tmp" "${dest}"
}

# Runs a command as the "postgres" user when we are root (initdb and pg_ctl
# refuse to run as root); as ourselves otherwise.
as_postgres() {
  if ((EUID == 0)); then
    # "--" so that su does not take the command's options for its own.
    # shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
    su -s /bin/sh -c 'exec "$0" "$@"' -- postgres "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

# PostgreSQL (running as "postgres") must be able to traverse every parent
# folder of its data dir. A clone under a 700 folder such as /root blocks it:
# then we add o+x (traverse only: no listing, no reading) to the blocking
# parents, and say so. Nothing is changed when the path is already reachable.
ensure_postgres_can_reach() {
  local dir=$1 d
  ((EUID == 0)) || return 0
  if as_postgres test -x "${dir}" 2>/dev/null; then
    return 0
  fi
  d=${dir}
  while [[ ${d} != / ]]; do
    d=$(dirname "${d}")
    # Octal mode, low bit = "others may traverse" (%A would show a sticky
    # folder such as /tmp as "t", not "x").
    if ((!(8#$(stat -c %a "${d}") & 1))); then
      echo "postgres: chmod o+x ${d} (the postgres user must traverse it to reach ${dir})"
      chmod o+x "${d}"
    fi
  done
  as_postgres test -x "${dir}" || die "postgres: user postgres still cannot reach ${dir}"
}

# /usr/bin/aws against this instance's S3, with the local credentials only:
# the caller's AWS profile, CA bundle or session token must not leak in.
s3_cli() {
  env -u AWS_CA_BUNDLE -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
    AWS_CONFIG_FILE="${AWS_CONFIG}" AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ACCESS_KEY_ID="${S3_ACCESS_KEY}" AWS_SECRET_ACCESS_KEY="${S3_SECRET_KEY}" \
    AWS_DEFAULT_REGION="${S3_REGION}" AWS_EC2_METADATA_DISABLED=true AWS_PAGER= \
    "${AWS_BIN}" --endpoint-url "http://127.0.0.1:${S3_PORT}" \
    --cli-connect-timeout 2 --cli-read-timeout 10 "$@"
}

psql_local() {
  PGCONNECT_TIMEOUT=2 psql -X -q -h 127.0.0.1 -p "${PG_PORT}" -U postgres "$@"
}

# Memcached has no CLI client here: speak its text protocol over bash's
# /dev/tcp.
memcached_answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/${MEMCACHED_PORT}"
    printf 'version\r\n' >&3
    read -r -t 2 reply <&3
    [[ ${reply} == VERSION* ]]
  ) 2>/dev/null
}

# True if the server answers a real request (not just an open port).
answers() {
  local server=$1 port
  port=$(port_of "${server}")
  case "${server}" in
  postgres)
    [[ $(psql_local -d postgres -tAc 'select 1' 2>/dev/null) == 1 ]]
    ;;
  redis)
    [[ $(timeout 3 redis-cli -h 127.0.0.1 -p "${port}" ping 2>/dev/null) == PONG ]]
    ;;
  clickhouse)
    [[ $(curl -sS --max-time 2 "http://127.0.0.1:${port}/ping" 2>/dev/null) == Ok. ]]
    ;;
  memcached)
    memcached_answers
    ;;
  swift-account | swift-container | swift-object)
    # Any HTTP answer will do: these only talk to the proxy.
    [[ $(curl -s -o /dev/null --max-time 2 -w '%{http_code}' \
      "http://127.0.0.1:${port}/" 2>/dev/null) != 000 ]]
    ;;
  swift-proxy)
    # Cheap unsigned check first, then a signed S3 request: proves s3api,
    # tempauth, memcached and the storage servers all work.
    [[ $(curl -s --max-time 2 "http://127.0.0.1:${port}/healthcheck" 2>/dev/null) == OK ]] &&
      s3_cli s3api list-buckets >/dev/null 2>&1
    ;;
  esac
}

# Waits until a server answers; on timeout or death, fails naming it and
# showing the end of its log.
wait_ready() {
  local server=$1 deadline log pid
  deadline=$((SECONDS + READY_TIMEOUT))
  log="${LOG_DIR}/${server}.log"
  until answers "${server}"; do
    if ! pid=$(pid_of "${server}"); then
      fail_with_log "${server}" "${log}" "exited before answering"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "${server}" "${log}" "does not answer after ${READY_TIMEOUT} s (pid ${pid})"
    fi
    sleep 0.2
  done
}

fail_with_log() {
  local server=$1 log=$2 why=$3 f
  {
    echo "stack: ${server} ${why}. Last 30 lines of ${log}:"
    tail -n 30 "${log}" 2>/dev/null || true
    # ClickHouse writes its errors to a separate file.
    f="${LOG_DIR}/${server}.err.log"
    if [[ -s ${f} ]]; then
      echo "--- last 30 lines of ${f}:"
      tail -n 30 "${f}"
    fi
  } >&2
  exit 1
}

# ---------------------------------------------------------------- starting

# Starts one server that is not running (the caller checked) in the
# background; wait_ready then checks that it answers.
start_server() {
  local server=$1
  # A PID file left by a crash or a reboot: the process is gone.
  if [[ -e $(pid_file "${server}") ]]; then
    echo "${server}: removing stale PID file"
    rm -f "$(pid_file "${server}")"
  fi
  check_ports_free "${server}"
  case "${server}" in
  postgres) start_postgres ;;
  redis) start_redis ;;
  clickhouse) start_clickhouse ;;
  memcached) start_memcached ;;
  swift-account | swift-container | swift-object) start_swift_storage "${server#swift-}" ;;
  swift-proxy) start_swift_proxy ;;
  esac
  echo "${server}: started"
}

start_postgres() {
  local log="${LOG_DIR}/postgres.log" opts out pid
  # PostgreSQL checks its own lock file, but a stale one whose PID now
  # belongs to another process would make it refuse to start.
  rm -f "${PG_DATA}/postmaster.pid"
  # Same for the socket's lock file. PostgreSQL itself clears it only if the
  # PID in it is gone, and a killed postmaster can linger as a zombie (some
  # container inits reap late), which PostgreSQL takes for a live server.
  local sock_lock="${PG_SOCK}/.s.PGSQL.${PG_PORT}.lock" lock_pid
  if [[ -r ${sock_lock} ]] && read -r lock_pid <"${sock_lock}" &&
    [[ ${lock_pid} =~ ^[0-9]+$ ]] && ! is_alive "${lock_pid}"; then
    rm -f "${sock_lock}" "${PG_SOCK}/.s.PGSQL.${PG_PORT}"
  fi
  mkdir -p "${PG_DIR}"
  if ((EUID == 0)); then
    chown postgres:postgres "${PG_DIR}"
  fi
  chmod 700 "${PG_DIR}"
  ensure_postgres_can_reach "${PG_DIR}"
  if [[ ! -s ${PG_DATA}/PG_VERSION ]]; then
    rm -rf "${PG_DATA}"
    as_postgres "${PG_BIN}/initdb" -D "${PG_DATA}" -U postgres --auth=trust \
      -E UTF8 --locale=C.UTF-8 >>"${log}" 2>&1 ||
      fail_with_log postgres "${log}" "initdb failed"
  fi
  if [[ ${PG_SOCK} != /tmp ]]; then
    mkdir -p "${PG_SOCK}"
    if ((EUID == 0)); then
      chown postgres:postgres "${PG_SOCK}"
    fi
  fi
  # The server appends to the log as "postgres".
  touch "${log}"
  if ((EUID == 0)); then
    chown postgres:postgres "${log}"
  fi
  opts="-p ${PG_PORT} -k '${PG_SOCK}' -c listen_addresses=127.0.0.1"
  if [[ ${INSTANCE} == test ]]; then
    # Test data is thrown away: skip durability for speed.
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # pg_ctl daemonizes the server itself (setsid inside); -w waits until it
  # accepts connections.
  if ! out=$(as_postgres "${PG_BIN}/pg_ctl" -D "${PG_DATA}" -l "${log}" -w \
    -t "${READY_TIMEOUT}" -o "${opts}" start 2>&1); then
    echo "${out}" >>"${log}"
    fail_with_log postgres "${log}" "did not start"
  fi
  # Also record the PID where the other servers keep theirs.
  pid=$(pid_of postgres) || fail_with_log postgres "${log}" "exited right after start"
  echo "${pid}" >"$(pid_file postgres)"
}

stop_postgres() {
  if ! pid_of postgres >/dev/null; then
    rm -f "$(pid_file postgres)"
    echo "postgres: already stopped"
    return 0
  fi
  # Fast mode: roll back open transactions, disconnect clients, checkpoint.
  if as_postgres "${PG_BIN}/pg_ctl" -D "${PG_DATA}" -m fast -w -t "${STOP_TIMEOUT}" \
    stop >/dev/null 2>>"${LOG_DIR}/postgres.log"; then
    echo "postgres: stopped"
  else
    local pid
    if pid=$(pid_of postgres); then
      kill -KILL "${pid}" 2>/dev/null || true
      echo "postgres: killed (pid ${pid}, pg_ctl stop failed)"
    fi
  fi
  rm -f "$(pid_file postgres)"
}

start_redis() {
  local save='save 3600 1 300 100 60 10000'
  if [[ ${INSTANCE} == test ]]; then
    save='save ""'
  fi
  mkdir -p "${REDIS_DIR}"
  render redis.conf "${REDIS_DIR}/redis.conf" PORT="${REDIS_PORT}" \
    DATA_DIR="${REDIS_DIR}" LOG_DIR="${LOG_DIR}" SAVE="${save}"
  launch redis redis-server "${REDIS_DIR}/redis.conf"
}

start_clickhouse() {
  mkdir -p "${CH_DIR}/etc" "${CH_DIR}/data"
  render clickhouse-config.xml "${CH_DIR}/etc/config.xml" \
    LOG_DIR="${LOG_DIR}" DATA_DIR="${CH_DIR}/data" HTTP_PORT="${CH_HTTP_PORT}" \
    TCP_PORT="${CH_TCP_PORT}" INTERSERVER_PORT="${CH_INTERSERVER_PORT}"
  render clickhouse-users.xml "${CH_DIR}/etc/users.xml"
  launch clickhouse clickhouse-server --config-file="${CH_DIR}/etc/config.xml"
}

start_memcached() {
  # Swift's token cache only: 64 MB, TCP only (-U 0), loopback. memcached
  # refuses to run as root unless told which user to be.
  launch memcached memcached -l 127.0.0.1 -p "${MEMCACHED_PORT}" -U 0 -m 64 \
    -c 1024 -u "$(id -un)"
}

# Writes swift.conf and builds the three one-device, one-replica rings
# (once: they only hold this instance's fixed ports).
prepare_swift() {
  local kind port job
  local -a ring_jobs=()
  mkdir -p "${SWIFT_ETC}" "${SWIFT_DIR}/devices/d1"
  render swift.conf "${SWIFT_ETC}/swift.conf"
  for kind in account container object; do
    [[ -s ${SWIFT_ETC}/${kind}.ring.gz ]] && continue
    case "${kind}" in
    account) port=${SWIFT_ACCOUNT_PORT} ;;
    container) port=${SWIFT_CONTAINER_PORT} ;;
    object) port=${SWIFT_OBJECT_PORT} ;;
    esac
    # In parallel: each swift-ring-builder call is a Python start-up.
    (
      cd "${SWIFT_ETC}"
      rm -f "${kind}.builder"
      # 2^6 partitions, 1 replica, min 1 hour between moves (never matters).
      swift-ring-builder "${kind}.builder" create 6 1 1 &&
        swift-ring-builder "${kind}.builder" add "r1z1-127.0.0.1:${port}/d1" 100 &&
        swift-ring-builder "${kind}.builder" rebalance
    ) >>"${LOG_DIR}/swift-rings.log" 2>&1 &
    ring_jobs+=("$!")
  done
  # Only these jobs: the servers launched so far are background jobs too.
  for job in "${ring_jobs[@]}"; do
    wait "${job}" || fail_with_log swift-ring-builder "${LOG_DIR}/swift-rings.log" "failed"
  done
}

start_swift_storage() {
  local kind=$1 port
  port=$(port_of "swift-${kind}")
  prepare_swift
  render "${kind}-server.conf" "${SWIFT_ETC}/${kind}-server.conf" \
    PORT="${port}" USER="$(id -un)" SWIFT_ETC="${SWIFT_ETC}" \
    DEVICES="${SWIFT_DIR}/devices"
  # -v: the start-up messages (e.g. "could not bind") go to stdout, i.e. our
  # log; everything else Swift sends to syslog.
  launch "swift-${kind}" "swift-${kind}-server" "${SWIFT_ETC}/${kind}-server.conf" -v
}

start_swift_proxy() {
  prepare_swift
  render proxy-server.conf "${SWIFT_ETC}/proxy-server.conf" \
    PORT="${S3_PORT}" USER="$(id -un)" SWIFT_ETC="${SWIFT_ETC}" \
    MEMCACHED_PORT="${MEMCACHED_PORT}"
  render aws.config "${AWS_CONFIG}" PORT="${S3_PORT}"
  launch swift-proxy swift-proxy-server "${SWIFT_ETC}/proxy-server.conf" -v
}

# Creates what the service expects to exist: database "cinerec" in
# PostgreSQL and ClickHouse, bucket "cinerec" in S3. Idempotent.
ensure_resources() {
  local server
  for server in "$@"; do
    case "${server}" in
    postgres)
      if [[ $(psql_local -d postgres -tAc \
        "select 1 from pg_database where datname = '${DB_NAME}'") != 1 ]]; then
        psql_local -d postgres -c "create database ${DB_NAME} owner postgres" >/dev/null
        echo "postgres: created database ${DB_NAME}"
      fi
      ;;
    clickhouse)
      curl -fsS --max-time 10 --data-binary "CREATE DATABASE IF NOT EXISTS ${DB_NAME}" \
        "http://127.0.0.1:${CH_HTTP_PORT}/" >/dev/null ||
        die "clickhouse: could not create database ${DB_NAME}"
      ;;
    swift-proxy)
      # Right after a start the proxy may answer a write with 503 ("Please reduce your request rate")
      # while the account and container servers settle, though reads already work: retry for up to 30 s.
      local attempt
      for attempt in $(seq 60); do
        s3_cli s3api head-bucket --bucket "${BUCKET}" >/dev/null 2>&1 && break
        if s3_cli s3api create-bucket --bucket "${BUCKET}" >/dev/null 2>&1; then
          echo "s3: created bucket ${BUCKET}"
          break
        fi
        ((attempt < 60)) || die "s3: could not create bucket ${BUCKET} (see ${LOG_DIR}/swift-proxy.log)"
        sleep 0.5
      done
      ;;
    esac
  done
}

# Starts the given servers (those not running), waits until all answer,
# then creates the database/bucket.
start_servers() {
  local server
  local -a started=()
  local pid
  for server in "$@"; do
    if pid=$(pid_of "${server}"); then
      echo "${server}: already running (pid ${pid})"
    else
      start_server "${server}"
      started+=("${server}")
    fi
  done
  # The servers boot in parallel; check each in turn.
  for server in "${started[@]}"; do
    wait_ready "${server}"
  done
  ensure_resources "$@"
}

# ---------------------------------------------------------------- commands

env_lines() {
  cat <<EOF
export CINEREC_POSTGRES_URL=postgresql://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}
export CINEREC_REDIS_URL=redis://127.0.0.1:${REDIS_PORT}/0
export CINEREC_CLICKHOUSE_URL=http://127.0.0.1:${CH_HTTP_PORT}
export CINEREC_CLICKHOUSE_DATABASE=${DB_NAME}
export CINEREC_S3_ENDPOINT=http://127.0.0.1:${S3_PORT}
export CINEREC_S3_BUCKET=${BUCKET}
export CINEREC_S3_ACCESS_KEY=${S3_ACCESS_KEY}
export CINEREC_S3_SECRET_KEY=${S3_SECRET_KEY}
export CINEREC_S3_REGION=${S3_REGION}
export CINEREC_COLLECT_SPOOL_DIR=${INST_DIR}/spool
EOF
}

print_endpoints() {
  cat <<EOF
postgres    postgresql://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}
redis       redis://127.0.0.1:${REDIS_PORT}/0
clickhouse  http://127.0.0.1:${CH_HTTP_PORT} (native ${CH_TCP_PORT}), database ${DB_NAME}
s3          http://127.0.0.1:${S3_PORT} bucket ${BUCKET}, key ${S3_ACCESS_KEY} / ${S3_SECRET_KEY}, region ${S3_REGION}, path-style
            (AWS_CONFIG_FILE=${AWS_CONFIG} ${AWS_BIN} --endpoint-url http://127.0.0.1:${S3_PORT} s3 ls)
env         . ${INST_DIR}/env.sh
EOF
}

# Serialises commands on one instance (e.g. two test binaries calling
# stop-one at once). Children close fd 9, so servers never hold the lock.
lock_instance() {
  mkdir -p "${INST_DIR}" "${PID_DIR}" "${LOG_DIR}"
  exec 9>"${INST_DIR}/.lock"
  flock -w 120 9 || die "instance ${INSTANCE} is locked by another stack.sh"
}

cmd_up() {
  local start=${SECONDS}
  lock_instance
  env_lines >"${INST_DIR}/env.sh"
  start_servers "${SERVERS[@]}"
  echo "stack '${INSTANCE}' is up ($((SECONDS - start)) s):"
  print_endpoints
}

cmd_down() {
  local -a reversed=()
  local i
  if [[ ! -d ${INST_DIR} ]]; then
    echo "stack '${INSTANCE}': nothing to stop (no ${INST_DIR})"
    return 0
  fi
  lock_instance
  for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do
    reversed+=("${SERVERS[i]}")
  done
  stop_servers "${reversed[@]}"
  echo "stack '${INSTANCE}' is down"
}

cmd_status() {
  local server pid state all_ok=1
  for server in "${SERVERS[@]}"; do
    if pid=$(pid_of "${server}"); then
      state="not answering"
      if answers "${server}"; then
        state=answers
      else
        all_ok=0
      fi
      printf '%-16s running  pid %-8s port %-6s %s\n' "${server}" "${pid}" \
        "$(port_of "${server}")" "${state}"
    else
      printf '%-16s stopped\n' "${server}"
      all_ok=0
    fi
  done
  # Scripts can test it: `stack.sh status >/dev/null || stack.sh up`.
  ((all_ok)) || return 3
}

# Maps a stop-one/start-one argument to servers. "s3" stops only the proxy
# (enough to make S3 unreachable, and quick to bring back) but starts
# whatever the proxy needs.
servers_for() {
  case "$1:$2" in
  stop:s3) echo swift-proxy ;;
  start:s3) echo memcached swift-account swift-container swift-object swift-proxy ;;
  *:postgres | *:redis | *:clickhouse | *:memcached | *:swift-account | \
    *:swift-container | *:swift-object | *:swift-proxy) echo "$2" ;;
  *) die "unknown server '$2' (postgres, redis, clickhouse, s3)" ;;
  esac
}

main() {
  local command="" server="" instance=run
  while (($# > 0)); do
    case "$1" in
    --instance) instance=${2:-} && shift ;;
    --instance=*) instance=${1#*=} ;;
    -h | --help | help) usage 0 ;;
    -*) echo "stack: unknown option $1" >&2 && usage 2 ;;
    *)
      if [[ -z ${command} ]]; then
        command=$1
      elif [[ -z ${server} ]]; then
        server=$1
      else
        echo "stack: unexpected argument $1" >&2 && usage 2
      fi
      ;;
    esac
    shift
  done
  select_instance "${instance}"
  local -a targets
  local target_list
  case "${command}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) env_lines ;;
  stop-one | start-one)
    [[ -n ${server} ]] || die "${command} needs a server (postgres, redis, clickhouse, s3)"
    # A plain assignment, so that set -e sees servers_for fail.
    target_list=$(servers_for "${command%-one}" "${server}")
    read -r -a targets <<<"${target_list}"
    lock_instance
    if [[ ${command} == stop-one ]]; then
      stop_servers "${targets[@]}"
    else
      start_servers "${targets[@]}"
    fi
    ;;
  "") usage 2 ;;
  *) echo "stack: unknown command ${command}" >&2 && usage 2 ;;
  esac
}

main "$@"
