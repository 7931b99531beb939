#!/usr/bin/env bash
# CI's compose smoke (.ci/run): installs docker.io, docker-compose (1.29) and debootstrap with
# apt-get when missing, starts a private Docker engine when none answers (stopped again on exit, by
# its pid), then runs smoke.sh. When no engine works after that (no root, no kernel support for
# containers), it says so in one line and exits 0: the smoke is skipped, not failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
say() { printf '\033[1m[compose-smoke]\033[0m %s\n' "$*"; }
started=$SECONDS

if ! command -v docker >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing docker.io, docker-compose and debootstrap with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap; } \
      >/dev/null 2>&1 || true
    say "installed in $((SECONDS - started)) s"
  fi
fi

engine_pid=""
engine_dir=""
stop_engine() {
  [ -n "$engine_pid" ] || return 0
  kill "$engine_pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$engine_pid" 2>/dev/null || break; sleep 1; done
  rm -rf "$engine_dir"
}
trap stop_engine EXIT

if command -v docker >/dev/null && ! docker info >/dev/null 2>&1 && command -v dockerd >/dev/null && [ "$(id -u)" = 0 ]; then
  # A private engine (own socket, data and state folders): it touches no engine already installed.
  engine_dir=$(mktemp -d "${TMPDIR:-/tmp}/bookstore-dockerd.XXXXXX")
  dockerd --data-root "$engine_dir/data" --exec-root "$engine_dir/exec" --pidfile "$engine_dir/dockerd.pid" \
    -H "unix://$engine_dir/docker.sock" >"$engine_dir/dockerd.log" 2>&1 &
  engine_pid=$!
  export DOCKER_HOST="unix://$engine_dir/docker.sock"
  for _ in $(seq 30); do docker info >/dev/null 2>&1 && break; kill -0 "$engine_pid" 2>/dev/null || break; sleep 1; done
fi

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1 || ! command -v docker-compose >/dev/null; then
  say "skipped: no working Docker engine here (docker info fails after installing)"
  exit 0
fi
[ -z "$engine_pid" ] || say "started a private Docker engine (pid $engine_pid) in $((SECONDS - started)) s"
infra/compose/smoke.sh
