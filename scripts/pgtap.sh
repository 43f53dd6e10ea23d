#!/usr/bin/env bash
# Runs the pgTAP suite (supabase/tests/database/*.sql) with pg_prove against a fresh,
# migrated database on the local PostgreSQL, dropped again on exit. Exits with pg_prove's
# status; its summary ("Tests=N", "Failed x/y subtests") is what scripts/test-all.sh reads.
set -uo pipefail
cd "$(dirname "$0")/.."

PGHOST="${PGTAP_HOST:-127.0.0.1}"
PGPORT="${PGTAP_PORT:-5432}"
PGUSER="${PGTAP_USER:-postgres}"
export PGHOST PGPORT PGUSER
DB="optiscope_pgtap_$$"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"

# npm scripts put node_modules/.bin (Node 24) first on PATH; called directly, find it ourselves.
NODE=node
[ -x node_modules/.bin/node ] && NODE=node_modules/.bin/node

cleanup() { dropdb --if-exists --force "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT

createdb "$DB" || exit 1

if [ -f scripts/migrate.ts ]; then
  "$NODE" --conditions=react-server scripts/migrate.ts >/dev/null || { echo "pgtap: migration failed" >&2; exit 1; }
else
  "$NODE" --conditions=react-server -e \
    "import('./lib/db/migrate.ts').then((m) => m.migrate(process.env.DATABASE_URL))" \
    || { echo "pgtap: migration failed" >&2; exit 1; }
fi

pg_prove -d "$DB" supabase/tests/database/*.sql
