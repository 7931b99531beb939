#!/bin/sh
# Makes the cluster on the first start (empty PGDATA), then runs postgres in the foreground.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_USER:=bookstore}" "${POSTGRES_DB:=bookstore}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password_file=${POSTGRES_PASSWORD_FILE:?POSTGRES_PASSWORD_FILE: the database password (a secret file) is needed}
  initdb -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256 \
    --pwfile="$password_file" >/dev/null
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  # Sockets only while the role and database are made: nothing connects over TCP before they exist.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -s start
  psql -q -v ON_ERROR_STOP=1 -U postgres -d postgres -v user="$POSTGRES_USER" -v db="$POSTGRES_DB" \
    -v password="$(cat "$password_file")" <<'SQL'
CREATE ROLE :"user" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"user";
SQL
  pg_ctl -D "$PGDATA" -m fast -w -s stop
  echo "postgres-entrypoint: cluster made in $PGDATA (database $POSTGRES_DB, owner $POSTGRES_USER)"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
