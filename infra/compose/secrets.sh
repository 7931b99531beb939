#!/usr/bin/env bash
# The local stack's secret files for docker-compose.yml, made once in .local/compose/secrets (a
# folder only its owner can enter; the files inside are world-readable so that the containers'
# users, node and postgres, can read their bind-mounted copies):
#   jwt-private.pem, jwt-public.pem  the dev key pair of .local/dev-keys (`pnpm dev-token` makes it),
#                                    so that dev tokens are accepted by the containers too
#   postgres-password, database-url  a random database password and the URL holding it
#   admin-password                   a random password for ADMIN_EMAIL's account
# Anywhere but a developer's machine point the *_PATH variables of docker-compose.yml at real ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=.local/compose/secrets
mkdir -p "$dir"
chmod 700 "$dir"
[ -f .local/dev-keys/private.pem ] || pnpm -s dev-token --sub compose >/dev/null
random() { node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))'; }
cp .local/dev-keys/private.pem "$dir/jwt-private.pem"
cp .local/dev-keys/public.pem "$dir/jwt-public.pem"
[ -s "$dir/postgres-password" ] || random >"$dir/postgres-password"
printf 'postgres://bookstore:%s@postgres:5432/bookstore' "$(cat "$dir/postgres-password")" >"$dir/database-url"
[ -s "$dir/admin-password" ] || random >"$dir/admin-password"
chmod 644 "$dir"/*
echo "secrets ready in $dir"
