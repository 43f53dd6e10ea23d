#!/usr/bin/env bash
# What `npm test` needs from the machine, in one place (scripts/test-all.sh runs this first):
#   pg_prove                 libtap-parser-sourcehandler-pgtap-perl   (pgTAP runner)
#   the pgtap extension      postgresql-<major>-pgtap                  (pgTAP itself)
#   Chromium                 chromium                                  (Playwright; CHROMIUM_PATH overrides)
#   python3 with venv        python3, python3-venv                     (the Python client's tests)
#   PostgreSQL running       on TEST_POSTGRES_URL's port (127.0.0.1:5432), started if it is down
# Missing Debian packages are installed with apt-get when running as root; otherwise it names
# them and the command that installs them, and exits 1.
#
#   bash scripts/test-prerequisites.sh             # locate, install what is missing, start PostgreSQL
#   bash scripts/test-prerequisites.sh --dry-run   # the same, but apt-get only simulates (apt-get -s)
set -uo pipefail
cd "$(dirname "$0")/.."

dry_run=0
[ "${1:-}" = "--dry-run" ] && dry_run=1
say() { echo "[prerequisites] $*"; }

url="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_port=$(echo "$url" | sed -nE 's#^[a-z]+://[^/]*:([0-9]+)(/.*)?$#\1#p')
pg_port=${pg_port:-5432}
pg_host=$(echo "$url" | sed -nE 's#^[a-z]+://([^@/]*@)?([^:/]+).*$#\2#p')
pg_host=${pg_host:-127.0.0.1}
# the PostgreSQL major version of the local server (the pgtap package is per version)
pg_major="${PG_MAJOR:-$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1)}"
pg_major=${pg_major:-15}

missing=()   # Debian packages to install
need() { missing+=("$1"); say "missing: $2 (Debian package $1)"; }

locate() {
  missing=()
  command -v pg_prove >/dev/null 2>&1 || need libtap-parser-sourcehandler-pgtap-perl "pg_prove"
  [ -f "/usr/share/postgresql/${pg_major}/extension/pgtap.control" ] \
    || need "postgresql-${pg_major}-pgtap" "the pgtap extension for PostgreSQL ${pg_major}"
  command -v psql >/dev/null 2>&1 && command -v createdb >/dev/null 2>&1 \
    || need "postgresql-client-${pg_major}" "psql and createdb"
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need chromium "Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}"
  if ! command -v python3 >/dev/null 2>&1; then
    need python3 "python3"
    need python3-venv "the python3 venv module"
  elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    need python3-venv "the venv module of $(command -v python3)"
  fi
}

locate
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing$([ $dry_run -eq 1 ] && echo " (simulated, apt-get -s)"): ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || say "apt-get update failed"
    flags=(-y -q --no-install-recommends)
    [ $dry_run -eq 1 ] && flags+=(-s)
    apt-get install "${flags[@]}" "${missing[@]}" || say "apt-get install failed"
    [ $dry_run -eq 1 ] || locate
  fi
fi
status=0
if [ ${#missing[@]} -gt 0 ] && [ $dry_run -eq 1 ]; then
  say "dry run: nothing installed; missing: ${missing[*]}"
  status=1
elif [ ${#missing[@]} -gt 0 ]; then
  say "still missing: ${missing[*]}"
  say "install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  status=1
fi

# PostgreSQL: start the local cluster on that port when it is down (never restarts a running one)
if ! pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
  cluster=$(pg_lsclusters -h 2>/dev/null | awk -v port="$pg_port" '$3 == port && $4 != "online" {print $1, $2; exit}')
  if [ -n "$cluster" ] && [ "$(id -u)" -eq 0 ]; then
    say "PostgreSQL is down on port $pg_port: starting cluster $cluster"
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster start || say "pg_ctlcluster start failed"
    for _ in $(seq 1 60); do pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null && break; sleep 1; done
  elif [ -n "$cluster" ]; then
    say "PostgreSQL is down on port $pg_port: start it with: sudo pg_ctlcluster ${cluster} start"
  else
    say "no local PostgreSQL cluster is configured on port $pg_port (pg_lsclusters)"
  fi
  if pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null; then
    say "PostgreSQL is up on $pg_host:$pg_port"
  else
    say "PostgreSQL is not reachable on $pg_host:$pg_port"
    status=1
  fi
fi

[ $status -eq 0 ] && say "all found: pg_prove, pgtap (PostgreSQL ${pg_major}), Chromium, python3 with venv, PostgreSQL on $pg_host:$pg_port"
exit $status
