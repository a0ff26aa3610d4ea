#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use is accepting connections, starting the local cluster when
# it is down. The tests connect as SAYPRO_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test).
# Exit status 0: reachable. 1: it could not be reached or started (the message says why).
set -uo pipefail
host="${SAYPRO_TEST_PG_HOST:-127.0.0.1}"
port="${SAYPRO_TEST_PG_PORT:-5432}"

ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$host" -p "$port"
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

if ready; then
  exit 0
fi
echo "PostgreSQL is not accepting connections on $host:$port; trying to start it" >&2
if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
  echo "ERROR: PostgreSQL is not installed here (no pg_ctlcluster, no /etc/postgresql)." >&2
  echo "       Install it (apt-get install postgresql) or set SAYPRO_TEST_PG_URL to a reachable server." >&2
  exit 1
fi
started=0
running=0
for version in $(ls /etc/postgresql); do
  for cluster in $(ls "/etc/postgresql/$version"); do
    if pg_ctlcluster "$version" "$cluster" status >/dev/null 2>&1; then
      running=1
    elif pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >&2; then
      started=1
    fi
  done
done
if [ "$started" = 1 ]; then
  for _ in $(seq 1 30); do
    if ready; then
      echo "PostgreSQL started" >&2
      exit 0
    fi
    sleep 1
  done
fi
if ready; then
  exit 0
fi
if [ "$started" = 1 ]; then
  echo "ERROR: PostgreSQL was started but does not accept connections on $host:$port after 30 s." >&2
elif [ "$running" = 1 ]; then
  echo "ERROR: PostgreSQL is running but not on $host:$port; check the cluster's port or set" >&2
  echo "       SAYPRO_TEST_PG_HOST/SAYPRO_TEST_PG_PORT and SAYPRO_TEST_PG_URL." >&2
else
  echo "ERROR: no PostgreSQL cluster under /etc/postgresql could be started (see the messages above)." >&2
fi
exit 1
