#!/bin/sh
# Settings that hold secrets come from files (Docker secrets), never from the container's
# environment: NAME_FILE=/run/secrets/x sets NAME to the file's content for the app process only
# (for the names below; JWT_PUBLIC_KEY_FILE and JWT_PRIVATE_KEY_FILE the apps read themselves).
set -eu
for name in DATABASE_URL REDIS_URL SMTP_URL ADMIN_PASSWORD; do
  eval "file=\${${name}_FILE:-}"
  [ -n "$file" ] || continue
  [ -r "$file" ] || { echo "${name}_FILE: cannot read $file" >&2; exit 1; }
  value=$(cat "$file")
  export "$name=$value"
  unset "${name}_FILE"
done
exec "$@"
