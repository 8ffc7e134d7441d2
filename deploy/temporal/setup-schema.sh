#!/bin/sh
# One-shot: create the Temporal databases and bring their schemas to this server's version
# with its own schema tool (as bin/cluster does). Safe to run again: it skips what exists.
# SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD come from the environment.
set -eu
schemas=/etc/temporal/schema/postgresql/v12
for pair in temporal:temporal temporal_visibility:visibility; do
  db=${pair%%:*}; dir=${pair#*:}
  temporal-sql-tool --plugin postgres12 --db "$db" create-database
  temporal-sql-tool --plugin postgres12 --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --db "$db" update-schema -d "$schemas/$dir/versioned"
done
