#!/usr/bin/env bash
# The two local base images the compose stack builds on, made without any registry: Debian bookworm
# from debootstrap (the host reaches Debian's mirror; containers need not), imported with
# `docker import`.
#   bookstore/compose-data:bookworm  minbase + redis-server + postgresql-15 (Debian's packages):
#                                    the Redis and PostgreSQL images
#   bookstore/compose-base:bookworm  minbase + ca-certificates + the user node (uid 1000)
#   bookstore/compose-runtime:latest the apps' base: compose-base + the host's Node binary and
#                                    infra/docker/entrypoint.sh (rebuilt when the host's Node changes)
# Images that exist are kept; `--rebuild` makes both again. DEBIAN_MIRROR picks the mirror, and the
# downloaded packages are kept in .local/compose/debs for the next run.
set -euo pipefail
cd "$(dirname "$0")/../.."
app_tag=${BASE_IMAGE:-bookstore/compose-base:bookworm}
data_tag=${DATA_BASE_IMAGE:-bookstore/compose-data:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

runtime_tag=${RUNTIME_IMAGE:-bookstore/compose-runtime:latest}

# The runtime layer: cheap, so it is remade whenever the host's Node or the entrypoint changed.
runtime() {
  local node_version stamp context
  node_version=$(node --version)
  stamp="$node_version-$(sha256sum infra/docker/entrypoint.sh infra/docker/Dockerfile.runtime | sha256sum | cut -c1-12)"
  if [ "$(docker image inspect -f '{{index .Config.Labels "org.bookstore.runtime"}}' "$runtime_tag" 2>/dev/null)" = "$stamp" ]; then
    echo "runtime image present: $runtime_tag (node $node_version)"
    return
  fi
  context=$(mktemp -d "${TMPDIR:-/tmp}/bookstore-runtime.XXXXXX")
  cp "$(command -v node)" "$context/node"
  cp infra/docker/entrypoint.sh "$context/"
  cp infra/docker/Dockerfile.runtime "$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --build-arg BASE_IMAGE="$app_tag" --build-arg NODE_VERSION="$node_version" \
    --label org.bookstore.runtime="$stamp" -t "$runtime_tag" "$context" >/dev/null
  rm -rf "$context"
  echo "built $runtime_tag (node $node_version)"
}

if [ "${1:-}" != --rebuild ] && docker image inspect "$app_tag" "$data_tag" >/dev/null 2>&1; then
  echo "base images present: $app_tag, $data_tag"
  runtime
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "debootstrap needs root (run as root or with sudo)" >&2; exit 1; }
command -v debootstrap >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/bookstore-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
cache=$PWD/.local/compose/debs
mkdir -p "$cache"
echo "debootstrap bookworm (minbase + redis-server, postgresql-15) from $mirror"
debootstrap --variant=minbase --cache-dir="$cache" \
  --include=ca-certificates,redis-server,postgresql-15 bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# No service starts inside the chroot while packages are installed or removed.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# The packaged cluster is not used: the postgres image makes its own in its volume on first start.
rm -rf "$root/var/lib/postgresql/15/main" "$root/etc/postgresql/15/main"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
# Where the images keep their data (named volumes copy the owner from here).
install -d -o "$(chroot "$root" id -u redis)" -g "$(chroot "$root" id -g redis)" -m 0750 "$root/data"
install -d -o "$(chroot "$root" id -u postgres)" -g "$(chroot "$root" id -g postgres)" -m 0700 \
  "$root/var/lib/postgresql/data"
install -d -o "$(chroot "$root" id -u postgres)" -g "$(chroot "$root" id -g postgres)" -m 2775 \
  "$root/var/run/postgresql"

import() {
  tar --numeric-owner -C "$root" -c . |
    docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin' \
      -c 'ENV LANG=C.UTF-8' -m "debootstrap bookworm minbase (bookstore compose)" - "$1" >/dev/null
  echo "imported $1 ($(docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%d MB", $1 / 1e6}'))"
}
import "$data_tag"

# The apps' base: the same system without the servers, and the user the apps run as.
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove \
  redis-server redis-tools postgresql-15 postgresql-client-15 postgresql-common postgresql-client-common \
  >"$work/purge.log" 2>&1 || { tail -n 30 "$work/purge.log" >&2; exit 1; }
rm -rf "$root/data" "$root/var/lib/postgresql" "$root/var/run/postgresql" "$root"/var/cache/apt/*.bin
chroot "$root" useradd --uid 1000 --user-group --create-home --shell /usr/sbin/nologin node
import "$app_tag"
runtime
