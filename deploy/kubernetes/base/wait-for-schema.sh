#!/bin/sh
# Blocks until the task store holds the migration this build expects ($NEUTRINO_MIGRATION), which the
# migrations Job applies. Runs as an init container of every service, so no worker consumes a task
# and no pod takes traffic before the schema is there; it needs to reach only PostgreSQL.
set -eu
: "${NEUTRINO_CONNECTION:?the neutrino connection string}" "${NEUTRINO_MIGRATION:?the expected migration}"

# The connection string is Npgsql's (Key=Value;...): hand its parts to psql as libpq's variables.
IFS=';'
for pair in $NEUTRINO_CONNECTION; do
  key=$(printf '%s' "${pair%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]')
  value=${pair#*=}
  case $key in
    host | server) export PGHOST="$value" ;;
    port) export PGPORT="$value" ;;
    username | user | userid | uid) export PGUSER="$value" ;;
    password | pwd) export PGPASSWORD="$value" ;;
    database | db) export PGDATABASE="$value" ;;
    sslmode) export PGSSLMODE="$(printf '%s' "$value" | tr '[:upper:]' '[:lower:]' | sed 's/^verifyca$/verify-ca/; s/^verifyfull$/verify-full/')" ;;
  esac
done
unset IFS
export PGCONNECT_TIMEOUT=5

query="SELECT 1 FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = '$NEUTRINO_MIGRATION'"
until [ "$(psql -XqtAc "$query" 2>/dev/null)" = 1 ]; do
  echo "waiting for the task store to reach $NEUTRINO_MIGRATION (the migrations Job applies it)"
  sleep 2
done
echo "the task store is at $NEUTRINO_MIGRATION"
