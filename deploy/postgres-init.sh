#!/bin/sh
# First start of compose's PostgreSQL: a role per user, with passwords from the environment.
#   temporal  owns the Temporal databases (created by the temporal-schema job): CREATEDB
#   welcome   owns welcome_center, the case records; nothing else
# The superuser (POSTGRES_USER) is for administration only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" -v welcome_password="$WELCOME_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE ROLE welcome LOGIN PASSWORD :'welcome_password';
CREATE DATABASE welcome_center OWNER welcome;
REVOKE ALL ON DATABASE welcome_center FROM PUBLIC;
SQL
