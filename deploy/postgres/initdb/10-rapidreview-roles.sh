#!/bin/sh
# First-start initialisation for the compose PostgreSQL (run by the postgres image's entrypoint
# from /docker-entrypoint-initdb.d, as the superuser, once, on an empty data directory).
#
# One login role per service, rr_<service>, owning the schema named after the service (and
# rr_workspace for the web workspace's dashboard read model, schema `workspace`). A role can
# reach only its own schema; CREATE on the database is granted only because the migrations run an
# idempotent `CREATE SCHEMA IF NOT EXISTS`, which PostgreSQL checks before it notices the schema
# exists. Passwords come from /run/secrets/db-password-<service>.
#
# docs/operations.md shows the same statements for an external (managed) PostgreSQL.
set -eu
db=${POSTGRES_DB:-rapidreview}
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$db" --set=db="$db" <<'SQL'
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
for svc in intake gathering criteria decisions workspace; do
  pw_file=/run/secrets/db-password-$svc
  if [ ! -r "$pw_file" ]; then
    echo "10-rapidreview-roles.sh: cannot read $pw_file" >&2
    exit 1
  fi
  pw=$(cat "$pw_file")
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$db" \
    --set=db="$db" --set=role="rr_$svc" --set=schema="$svc" --set=pw="$pw" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'pw') \gexec
GRANT CONNECT, TEMPORARY, CREATE ON DATABASE :"db" TO :"role";
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"role";
ALTER ROLE :"role" SET search_path = :"schema";
SQL
done
