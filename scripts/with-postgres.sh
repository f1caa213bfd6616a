#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server started for it.
#   scripts/with-postgres.sh <command...>
# Installs Debian's postgresql package if the server binaries are missing, starts a server on a
# Unix socket in a temporary folder (trust authentication, no TCP), exports TEST_DATABASE_URL
# for the command, and stops and removes the server afterwards.
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PGBIN=$(find_bin)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "Installing PostgreSQL from Debian's packages..."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(find_bin)
fi

DIR=$(mktemp -d /tmp/portal-pg.XXXXXX)
PORT=${PGPORT_FOR_TESTS:-55432}
# The server refuses to run as root: run it as the postgres account Debian creates.
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR"
  AS=(runuser -u postgres --)
else
  AS=()
fi
cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

"${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-k $DIR -p $PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null

export TEST_DATABASE_URL="postgresql+psycopg://postgres@/postgres?host=$DIR&port=$PORT"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') running in $DIR"
"$@"
