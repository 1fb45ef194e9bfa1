#!/bin/sh
# Restore drill: restore a catalogue dump into a throwaway database, check it is a whole,
# usable catalogue, report what it holds, and drop it again. Nothing else is touched.
#
#   docker compose run --rm backup /bin/sh /app/docker/restore-drill.sh            # newest dump
#   docker compose run --rm backup /bin/sh /app/docker/restore-drill.sh FILE.dump
#
# The server comes from libpq's variables (PGHOST, PGUSER, PGPASSWORD); the throwaway
# database is named restore_drill_<time>. Exits non-zero when the restore or a check fails.
set -eu

dir=${BACKUP_DIR:-/backups}
dump=${1:-$(ls "$dir"/catalogue-*.dump 2>/dev/null | sort | tail -n 1)}
[ -n "$dump" ] && [ -f "$dump" ] || { echo "restore drill: no dump to restore (looked in $dir)" >&2; exit 1; }
drill=${RESTORE_DRILL_DATABASE:-restore_drill_$(date -u +%Y%m%d%H%M%S)}

psql --quiet --no-psqlrc -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$drill\""
cleanup() { psql --quiet --no-psqlrc -d postgres -c "DROP DATABASE IF EXISTS \"$drill\" WITH (FORCE)" >/dev/null; }
trap cleanup EXIT

echo "restore drill: $dump -> database $drill"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$drill" "$dump"

query() { psql --no-psqlrc --tuples-only --no-align -v ON_ERROR_STOP=1 -d "$drill" -c "$1"; }
trials=$(query "SELECT count(*) FROM catalogue_trial")
sources=$(query "SELECT count(*) FROM catalogue_sourcedocument")
locks=$(query "SELECT count(*) FROM catalogue_curatorlock")
rows=$(query "SELECT (SELECT count(*) FROM catalogue_arm WHERE curated) + (SELECT count(*) FROM catalogue_intervention WHERE curated) + (SELECT count(*) FROM catalogue_eligibilitycriterion WHERE curated) + (SELECT count(*) FROM catalogue_outcome WHERE curated) + (SELECT count(*) FROM catalogue_location WHERE curated) + (SELECT count(*) FROM catalogue_reference WHERE curated) + (SELECT count(*) FROM catalogue_relatedtrial WHERE curated) + (SELECT count(*) FROM catalogue_investigator WHERE curated) + (SELECT count(*) FROM catalogue_trialsponsor WHERE curated)")
deletions=$(query "SELECT count(*) FROM catalogue_curatordeletion")
reports=$(query "SELECT count(*) FROM catalogue_errorreport")
events=$(query "SELECT count(*) FROM catalogue_trialevent")
migration=$(query "SELECT name FROM django_migrations WHERE app = 'catalogue' ORDER BY id DESC LIMIT 1")
# The restored trials answer a search, as the site would ask it.
searchable=$(query "SELECT count(*) FROM catalogue_trial WHERE search_vector IS NOT NULL")

echo "restore drill: trials=$trials sources=$sources curator_owned_fields=$locks curated_rows=$rows deletions=$deletions error_reports=$reports history_events=$events searchable=$searchable migration=$migration"
if [ "$trials" -eq 0 ] || [ "$sources" -eq 0 ] || [ -z "$migration" ]; then
    echo "restore drill FAILED: the restored database holds no catalogue" >&2
    exit 1
fi
echo "restore drill: OK (the throwaway database is dropped now)"
