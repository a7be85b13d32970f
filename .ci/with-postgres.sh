#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL: WIJKWIJS_TEST_DATABASE_URL points at a private
# cluster (initdb in a temp dir, 127.0.0.1, a free port, trust auth, no fsync), stopped and removed
# afterwards. Used by `make test` for the PostgreSQL pass of the database tests.
#
# - WIJKWIJS_TEST_DATABASE_URL already set: use that server, start nothing.
# - PostgreSQL not installed: on CI as root (CI=true) install Debian's package; otherwise print
#   one line and exit 0 (the pass is skipped locally).
set -euo pipefail

if [[ -n "${WIJKWIJS_TEST_DATABASE_URL:-}" ]]; then
    exec "$@"
fi

PG_LIB="${WIJKWIJS_PG_LIB:-/usr/lib/postgresql}"  # Debian's layout: $PG_LIB/<major>/bin
pg_bin() { { find "$PG_LIB" -maxdepth 2 -name bin -type d 2>/dev/null || true; } | sort -V | tail -n 1; }

PGBIN="$(pg_bin)"
if [[ -z "$PGBIN" || ! -x "$PGBIN/initdb" ]]; then
    if [[ "${CI:-}" == "true" && "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
        echo "Installing PostgreSQL (Debian package) for the PostgreSQL test pass…"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends postgresql >/dev/null
        PGBIN="$(pg_bin)"
    else
        echo "PostgreSQL pass skipped: PostgreSQL is not installed" \
             "(apt-get install postgresql, or set WIJKWIJS_TEST_DATABASE_URL)."
        exit 0
    fi
fi

# initdb/postgres refuse to run as root: run the cluster as the 'postgres' system user then.
as_owner=()
if [[ "$(id -u)" == "0" ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    as_owner=(runuser -u postgres --)
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/wijkwijs-pg.XXXXXX")"
chmod 700 "$DIR"
[[ ${#as_owner[@]} -gt 0 ]] && chown postgres "$DIR"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

cleanup() {
    "${as_owner[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT

"${as_owner[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log"; exit 1; }
"${as_owner[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DIR \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$DIR/server.log"; exit 1; }

export WIJKWIJS_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL pass: $("$PGBIN/postgres" --version) on 127.0.0.1:$PORT (private cluster in $DIR)"
status=0
"$@" || status=$?
exit "$status"
