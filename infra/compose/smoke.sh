#!/usr/bin/env bash
# The whole system in containers, once, end to end (docker-compose.yml, docker-compose 1.29):
# builds the images from local files (no registry: base-images.sh, stage-context.sh), starts
# everything with cart-api scaled to SMOKE_CART_REPLICAS (3) and realtime-gateway to
# SMOKE_REALTIME_REPLICAS (2), each replica listed in the gateway's <APP>_URLS, waits until every
# container is healthy, runs smoke-flow.ts on the host against the published ports (register, log
# in, live-cart sockets, add, checkout, the confirmation e-mail in the mail viewer), prints the
# figures (time to healthy, each step's latency, the requests each replica served, restarts) and
# tears everything down (containers, network, volumes) on exit, also on failure or Ctrl-C.
#
#   infra/compose/smoke.sh     GATEWAY_PORT (18080) and MAIL_VIEWER_PORT (18025), on ports the
#                              local stack does not use; COMPOSE_PROJECT_NAME (bookstore-smoke);
#                              SMOKE_KEEP=1 leaves the stack running; SMOKE_HEALTHY_TIMEOUT (240 s)
# Idempotent: a stack the same project left behind is removed first; the images are rebuilt from
# the current build (docker's layer cache keeps what did not change).
set -euo pipefail
cd "$(dirname "$0")/../.."
project=${COMPOSE_PROJECT_NAME:-bookstore-smoke}
cart_replicas=${SMOKE_CART_REPLICAS:-3}
realtime_replicas=${SMOKE_REALTIME_REPLICAS:-2}
healthy_timeout=${SMOKE_HEALTHY_TIMEOUT:-240}
export GATEWAY_PORT=${GATEWAY_PORT:-18080} MAIL_VIEWER_PORT=${MAIL_VIEWER_PORT:-18025}
export ALLOWED_ORIGINS="http://localhost:$GATEWAY_PORT" SHOP_URL="http://localhost:$GATEWAY_PORT"
# The docker CLI sends the build contexts (faster than docker-compose's own client); the classic
# builder, since BuildKit's buildx plugin is not part of Debian's docker.io.
export COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=0

started=$SECONDS
say() { printf '[smoke %4ss] %s\n' $((SECONDS - started)) "$*"; }
compose() { docker-compose -p "$project" "$@"; }
# http://<project>_<service>_<n>:<port>,...: docker-compose 1.29 names replicas so.
replicas() {
  local list=() index
  for index in $(seq "$2"); do list+=("http://${project}_$1_$index:$3"); done
  (IFS=,; echo "${list[*]}")
}
export CART_API_URLS; CART_API_URLS=$(replicas cart-api "$cart_replicas" 3001)
export REALTIME_GATEWAY_URLS; REALTIME_GATEWAY_URLS=$(replicas realtime-gateway "$realtime_replicas" 3002)

docker info >/dev/null 2>&1 || { say "no Docker engine answers (docker info failed): nothing run"; exit 1; }
command -v docker-compose >/dev/null || { say "docker-compose (1.29) is missing"; exit 1; }

logs=$(mktemp -d "${TMPDIR:-/tmp}/bookstore-smoke.XXXXXX")
finish() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" != 0 ]; then
    say "FAILED (exit $status); the containers and the last lines of their logs:"
    compose ps 2>/dev/null || true
    compose logs --no-color --tail=15 2>/dev/null | cut -c1-300 | tail -n 150 || true
  fi
  if [ -n "${SMOKE_KEEP:-}" ] && [ "$status" = 0 ]; then
    say "SMOKE_KEEP: left running (docker-compose -p $project down -v to remove it)"
  else
    say "tearing down"
    compose down -v --remove-orphans >"$logs/down.log" 2>&1 || cat "$logs/down.log" >&2
  fi
  rm -rf "$logs"
  say "done in $((SECONDS - started)) s"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

say "removing what an earlier run of project $project left"
# docker-compose reads every build context's path even to take containers down, and a fresh
# checkout has none yet (stage-context.sh makes them): empty folders stand in until then.
context=${COMPOSE_CONTEXT:-.local/compose/context}
for service in $(grep -o 'context}/[a-z0-9-]*' docker-compose.yml | sed 's|context}/||' | sort -u); do
  mkdir -p "$context/$service"
done
compose down -v --remove-orphans >"$logs/down.log" 2>&1 || { cat "$logs/down.log" >&2; exit 1; }

phase=$SECONDS
say "base images (debootstrap + docker import when missing)"
infra/compose/base-images.sh
base_seconds=$((SECONDS - phase))
infra/compose/secrets.sh

phase=$SECONDS
say "host build: pnpm build and pnpm deploy of every app into the build contexts"
infra/compose/stage-context.sh
stage_seconds=$((SECONDS - phase))

phase=$SECONDS
say "docker-compose build"
compose build --parallel >"$logs/build.log" 2>&1 || { tail -n 40 "$logs/build.log" >&2; exit 1; }
build_seconds=$((SECONDS - phase))

phase=$SECONDS
say "docker-compose up: cart-api x$cart_replicas, realtime-gateway x$realtime_replicas, gateway on :$GATEWAY_PORT"
compose up -d --scale cart-api="$cart_replicas" --scale realtime-gateway="$realtime_replicas" \
  >"$logs/up.log" 2>&1 || { cat "$logs/up.log" >&2; exit 1; }

# Every container healthy (migrate: exited 0).
not_ready() {
  local id state
  for id in $(compose ps -q); do
    state=$(docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}} {{.State.ExitCode}}' "$id")
    case "$state" in
      *_migrate_*" exited  0") ;;
      *" running healthy "*) ;;
      *) echo "${state%% *}" | sed 's#^/##' ;;
    esac
  done
}
while waiting=$(not_ready) && [ -n "$waiting" ]; do
  if [ $((SECONDS - phase)) -ge "$healthy_timeout" ]; then
    say "not healthy after ${healthy_timeout} s: $(echo $waiting)"
    exit 1
  fi
  sleep 1
done
healthy_seconds=$((SECONDS - phase))
say "all $(compose ps -q | wc -l) containers healthy after ${healthy_seconds} s"

say "smoke flow (infra/compose/smoke-flow.ts) against http://127.0.0.1:$GATEWAY_PORT"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT" MAIL_VIEWER_URL="http://127.0.0.1:$MAIL_VIEWER_PORT" \
  node_modules/.bin/tsx --conditions=source infra/compose/smoke-flow.ts | tee "$logs/flow.log"
[ "${PIPESTATUS[0]}" = 0 ] || exit 1

# What each replica served, from its own /metrics (asked inside its container).
metrics() {
  docker exec "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2 && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3"
}
sum() { awk '{ total += $NF } END { print total + 0 }'; }
reached() {
  local service=$1 port=$2 pattern=$3 count=0 index value line=""
  for index in $(seq "$4"); do
    value=$(metrics "${project}_${service}_$index" "$port" | grep -E "$pattern" | sum)
    line+=" #$index:$value"
    [ "$value" -gt 0 ] && count=$((count + 1))
  done
  say "$service: $count of $4 replicas reached through the gateway ($5:$line)"
  [ "$count" = "$4" ]
}
replicas_ok=0
reached cart-api 3001 '^http_request_duration_seconds_count\{.*route="/cart' "$cart_replicas" \
  "cart requests per replica" || replicas_ok=1
reached realtime-gateway 3002 '^realtime_messages_sent_total' "$realtime_replicas" \
  "socket messages sent per replica" || replicas_ok=1

# A crash loop (e.g. a setting the app refuses at boot) shows as restarts.
restarts=$(for id in $(compose ps -q); do docker inspect -f '{{.Name}} {{.RestartCount}}' "$id"; done |
  awk '$2 > 0 { sub("^/", "", $1); printf " %s:%s", $1, $2 }')
say "restarts:${restarts:- none}"

say "figures: base images ${base_seconds} s, host build ${stage_seconds} s, image build ${build_seconds} s, up to healthy ${healthy_seconds} s"
say "figures: $(sed -n 's/^SMOKE_FIGURES //p' "$logs/flow.log")"
[ "$replicas_ok" = 0 ] || { say "some replica was never reached"; exit 1; }
say "PASS"
