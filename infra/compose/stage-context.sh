#!/usr/bin/env bash
# Fills the Docker build context of docker-compose.yml (COMPOSE_CONTEXT, default
# .local/compose/context) from builds made on the host, since containers cannot reach the npm
# registry: `pnpm build`, then every app (and @bookstore/db, @bookstore/smtp-sink) with its
# production dependencies by `pnpm deploy`, the web shop's dist/ and the Dockerfiles of
# infra/docker, one folder per image. See infra/docker/Dockerfile for the layout.
set -euo pipefail
cd "$(dirname "$0")/../.."
context=${COMPOSE_CONTEXT:-.local/compose/context}

pnpm -s build --output-logs=errors-only
[ -f apps/web/dist/index.html ] || { echo "apps/web/dist is missing after pnpm build" >&2; exit 1; }

next=$context.next
rm -rf "$next"
mkdir -p "$next"
# service:package folder. --legacy: the workspace links its packages instead of injecting them.
# Four at a time: each spends most of its time asking the registry for metadata.
services="cart-api:apps/cart-api realtime-gateway:apps/realtime-gateway auth-api:apps/auth-api
  persistence-worker:apps/persistence-worker book-api:apps/book-api catalog-worker:apps/catalog-worker
  mail-worker:apps/mail-worker scheduler:apps/scheduler order-api:apps/order-api gateway:apps/gateway
  migrate:packages/db mail-viewer:packages/smtp-sink"
printf '%s\n' $services | xargs -P 4 -I{} sh -c '
  service=${1%%:*}; dir=${1#*:}; out=$2/$service
  mkdir -p "$out"
  if ! pnpm --filter "./$dir" --prod deploy --legacy --prefer-offline "$out/app" >"$out/deploy.log" 2>&1; then
    tail -n 20 "$out/deploy.log" >&2; exit 255
  fi
  rm -rf "$out/app/src" "$out/app/test" "$out/deploy.log"
  cp infra/docker/Dockerfile "$out/Dockerfile"' sh {} "$next"
cp -r apps/web/dist "$next/gateway/app/web"
mkdir -p "$next/redis" "$next/postgres"
cp infra/docker/Dockerfile.redis "$next/redis/Dockerfile"
cp infra/docker/Dockerfile.postgres "$next/postgres/Dockerfile"
cp infra/docker/postgres-entrypoint.sh "$next/postgres/"
rm -rf "$context"
mv "$next" "$context"
echo "build contexts ready in $context ($(du -sh "$context" | cut -f1))"
