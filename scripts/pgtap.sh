#!/usr/bin/env bash
# Runs the pgTAP suite (supabase/tests/database/*.sql) with pg_prove against a fresh,
# migrated database on the local PostgreSQL, dropped again on exit. Exits with pg_prove's
# status. pg_prove runs verbose: scripts/test-counts.ts counts each file's "ok" lines against
# the plan(N) in the file, so a file that dies before its plan, or a suite that never ran
# (no pg_prove, no database), counts its planned tests as failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# the server of TEST_POSTGRES_URL (as every other suite), unless PGTAP_HOST/PORT/USER say otherwise
url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PGHOST="${PGTAP_HOST:-$(echo "$url" | sed -nE 's#^[a-z]+://([^@/]*@)?([^:/]+).*$#\2#p')}"
PGPORT="${PGTAP_PORT:-$(echo "$url" | sed -nE 's#^[a-z]+://[^/]*:([0-9]+)(/.*)?$#\1#p')}"
PGUSER="${PGTAP_USER:-$(echo "$url" | sed -nE 's#^[a-z]+://([^:@/]+)(:[^@/]*)?@.*$#\1#p')}"
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
DB="optiscope_pgtap_$$"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"

# npm scripts put node_modules/.bin (Node 24) first on PATH; called directly, find it ourselves.
NODE=node
[ -x node_modules/.bin/node ] && NODE=node_modules/.bin/node

if ! command -v pg_prove >/dev/null 2>&1; then
  echo "pgtap: pg_prove not found (Debian package libtap-parser-sourcehandler-pgtap-perl): the pgTAP suite did not run" >&2
  exit 127
fi

cleanup() { dropdb --if-exists --force "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

createdb "$DB" || { echo "pgtap: createdb failed: the pgTAP suite did not run" >&2; exit 1; }

if [ -f scripts/migrate.ts ]; then
  "$NODE" --conditions=react-server scripts/migrate.ts >/dev/null || { echo "pgtap: migration failed" >&2; exit 1; }
else
  "$NODE" --conditions=react-server -e \
    "import('./lib/db/migrate.ts').then((m) => m.migrate(process.env.DATABASE_URL))" \
    || { echo "pgtap: migration failed" >&2; exit 1; }
fi

pg_prove -v -d "$DB" supabase/tests/database/*.sql
