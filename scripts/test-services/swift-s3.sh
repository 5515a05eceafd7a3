#!/usr/bin/env bash
# Throw-away OpenStack Swift with its S3 API (s3api middleware) on 127.0.0.1, for tests only.
#
#   swift-s3.sh [start] DIR PORT   start (or confirm already running) the proxy on PORT;
#                                  the object/container/account servers use PORT+1..PORT+3
#   swift-s3.sh stop DIR           stop the four servers and remove DIR
#
# S3 credentials: access key "test:tester", secret "testing", region us-east-1, path-style.
# Swift is the only real S3 implementation installable here (stack.md §4). Data lives in DIR and
# nothing cleans up old multipart segments, so use a fresh DIR per test run.
set -euo pipefail

readonly SERVICES=(object container account proxy)
readonly ACCESS_KEY='test:tester'
readonly SECRET_KEY='testing'
readonly START_TIMEOUT_SECONDS=${QUARRY_SWIFT_START_TIMEOUT:-60} # cold start is 6-15 s on 2 busy cores
# Ring files depend only on the backend ports, so a cache keyed by them skips the ring build.
readonly RING_CACHE_ROOT="${QUARRY_TEST_SERVICES_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/quarry-test-services}/swift-rings"

die() { echo "swift-s3: $*" >&2; exit 1; }

usage() { die "usage: $0 [start] DIR PORT | $0 stop DIR"; }

# The Python that Swift's own entry points run on; a pyenv shim on PATH may lack the swift module.
swift_python() { sed -n '1s/^#! *//p' "$(command -v swift-proxy-server)" | awk '{print $1}'; }

# True when the pid in DIR/NAME.pid is alive and really is that server of this DIR (pids get reused).
server_alive() {
  local pidfile="$D/$1.pid" pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$D/etc/$1-server.conf"
}

stop_servers() {
  local k pid
  for k in "${SERVICES[@]}"; do
    if server_alive "$k"; then kill "$(<"$D/$k.pid")" 2>/dev/null || true; fi
  done
  for _ in $(seq 1 50); do
    local any=0
    for k in "${SERVICES[@]}"; do server_alive "$k" && any=1; done
    [[ $any == 0 ]] && break
    sleep 0.1
  done
  for k in "${SERVICES[@]}"; do
    if server_alive "$k"; then pid=$(<"$D/$k.pid"); kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$D/$k.pid"
  done
}

common_conf() { # $1 = bind port
  cat <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 0
user = $RUN_AS
swift_dir = $D/etc
devices = $D/node
mount_check = false
log_level = WARNING
EOF
}

backend_conf() { # $1 = kind, $2 = port
  common_conf "$2"
  printf '\n[pipeline:main]\npipeline = %s-server\n\n[app:%s-server]\nuse = egg:swift#%s\n' "$1" "$1" "$1"
}

proxy_conf() {
  common_conf "$PORT"
  cat <<'EOF'

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

# No memcached needed: the cache filter tolerates its absence.
[filter:cache]
use = egg:swift#memcache

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo
EOF
}

# One Python process for all three rings: swift-ring-builder costs ~0.6 s per call, nine calls.
build_rings() { # $1 = target dir
  "$(swift_python)" - "$1" "$PORT_OBJECT" "$PORT_CONTAINER" "$PORT_ACCOUNT" <<'EOF'
import sys
from swift.common.ring import RingBuilder
target, ports = sys.argv[1], sys.argv[2:5]
for kind, port in zip(('object', 'container', 'account'), ports):
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port),
                     'device': 'd1', 'weight': 100, 'meta': ''})
    builder.rebalance()
    builder.get_ring().save(f'{target}/{kind}.ring.gz')
EOF
}

install_rings() {
  local cache="$RING_CACHE_ROOT/$PORT_OBJECT-$PORT_CONTAINER-$PORT_ACCOUNT" k
  if [[ ! -f $cache/account.ring.gz ]]; then
    local tmp
    if mkdir -p "$RING_CACHE_ROOT" 2>/dev/null && tmp=$(mktemp -d "$RING_CACHE_ROOT/.build-XXXXXX" 2>/dev/null); then
      build_rings "$tmp" >>"$D/log/rings.log" 2>&1 || die "ring build failed; see $D/log/rings.log"
      # rename is atomic, so a concurrent start sees either no cache entry or a complete one.
      mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
    else
      build_rings "$D/etc" >>"$D/log/rings.log" 2>&1 || die "ring build failed; see $D/log/rings.log"
      return
    fi
  fi
  for k in object container account; do cp "$cache/$k.ring.gz" "$D/etc/"; done
}

# One S3 request signed with AWS signature v2 (simple enough for openssl; s3api accepts it).
# Swift's own token auth is no use here: tempauth tokens need memcached, which we do not run.
s3_call() { # $1 = verb, $2 = path, rest = extra curl args; prints the HTTP status
  local verb=$1 path=$2 date sig
  shift 2
  date=$(LC_ALL=C date -u +'%a, %d %b %Y %H:%M:%S GMT')
  sig=$(printf '%s\n\n\n%s\n%s' "$verb" "$date" "$path" | openssl dgst -sha1 -hmac "$SECRET_KEY" -binary | base64)
  curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X "$verb" -H 'Content-Type:' -H "Date: $date" \
    -H "Authorization: AWS $ACCESS_KEY:$sig" "$@" "http://127.0.0.1:$PORT$path"
}

# An S3 round trip touching the account, container and object servers: the proxy's healthcheck
# alone only proves the proxy listens. The first bucket PUT also auto-creates the (bucket-less)
# account, so tests start against an existing, empty account.
probe_backends() {
  local bucket=quarry-probe-$$
  [[ $(s3_call GET /) == 200 ]] || return 1
  [[ $(s3_call PUT "/$bucket") == 200 ]] || return 1
  [[ $(s3_call PUT "/$bucket/o" --data-binary probe) == 200 ]] || return 1
  [[ $(s3_call DELETE "/$bucket/o") == 204 ]] || return 1
  [[ $(s3_call DELETE "/$bucket") == 204 ]] || return 1
}

dump_logs() {
  local f
  for f in "$D"/log/*.log; do
    [[ -s $f ]] || continue
    echo "--- $f (last 20 lines)" >&2
    tail -n 20 "$f" >&2
  done
}

start() {
  for tool in swift-proxy-server swift-object-server swift-container-server swift-account-server curl openssl; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install swift swift-proxy swift-object swift-container swift-account curl openssl)"
  done
  [[ -f /etc/swift/swift.conf ]] || die "/etc/swift/swift.conf missing (its hash prefix/suffix come from the swift package)"

  if server_alive proxy && grep -qx "bind_port = $PORT" "$D/etc/proxy-server.conf" \
     && server_alive object && server_alive container && server_alive account; then
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && { echo "swift-s3: already running in $D on port $PORT"; return 0; }
  fi
  server_alive proxy && ! grep -qx "bind_port = $PORT" "$D/etc/proxy-server.conf" \
    && die "$D already runs Swift on another port; stop it first"
  stop_servers # a half-running instance is restarted from scratch

  mkdir -p "$D/etc" "$D/node/d1" "$D/log"
  if [[ $(id -u) == 0 ]]; then
    RUN_AS=swift
    getent passwd swift >/dev/null || die "user 'swift' missing (created by the swift package)"
    chmod 755 "$D"
    chown -R swift: "$D/node"
    runuser -u swift -- test -w "$D/node/d1" \
      || die "user swift cannot write $D/node/d1: a parent directory of $D is not searchable (chmod o+x it)"
  else
    RUN_AS=$(id -un) # servers drop privileges to `user`; a non-root user can only "drop" to itself
  fi

  install_rings
  backend_conf object "$PORT_OBJECT" >"$D/etc/object-server.conf"
  backend_conf container "$PORT_CONTAINER" >"$D/etc/container-server.conf"
  backend_conf account "$PORT_ACCOUNT" >"$D/etc/account-server.conf"
  proxy_conf >"$D/etc/proxy-server.conf"

  local k
  for k in "${SERVICES[@]}"; do
    # setsid: a Ctrl-C in the shell that started the tests must not leave half a cluster behind.
    setsid nohup "swift-$k-server" "$D/etc/$k-server.conf" >"$D/log/$k.log" 2>&1 </dev/null &
    echo $! >"$D/$k.pid"
  done

  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  while ((SECONDS < deadline)); do
    for k in "${SERVICES[@]}"; do
      server_alive "$k" || { dump_logs; stop_servers; die "swift-$k-server exited during start-up"; }
    done
    if curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthcheck" && probe_backends; then
      echo "swift-s3: up in $D: S3 endpoint http://127.0.0.1:$PORT (access key $ACCESS_KEY, secret $SECRET_KEY)"
      return 0
    fi
    sleep 0.1
  done
  dump_logs
  stop_servers
  die "Swift did not answer on 127.0.0.1:$PORT within $START_TIMEOUT_SECONDS s"
}

verb=start
if [[ ${1:-} == start || ${1:-} == stop ]]; then verb=$1; shift; fi
[[ $# -ge 1 ]] || usage
D=$(realpath -m "$1")
[[ $D != / ]] || die "refusing DIR=/"

if [[ $verb == stop ]]; then
  stop_servers
  rm -rf "$D"
  exit 0
fi

[[ $# -ge 2 ]] || usage
PORT=$2
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT + 3 <= 65535)) || die "bad PORT: $PORT (needs PORT..PORT+3 free)"
PORT_OBJECT=$((PORT + 1))
PORT_CONTAINER=$((PORT + 2))
PORT_ACCOUNT=$((PORT + 3))
start
