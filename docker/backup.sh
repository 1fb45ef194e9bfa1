#!/bin/sh
# The compose file's `backup` service: a pg_dump of the catalogue every BACKUP_INTERVAL
# seconds into BACKUP_DIR, keeping the newest BACKUP_KEEP dumps. The connection comes from
# libpq's own variables (PGHOST, PGUSER, PGPASSWORD, PGDATABASE). BACKUP_ONCE=1 makes one
# dump and stops (for cron, or a dump before an upgrade). See README "Backups".
set -eu

dir=${BACKUP_DIR:-/backups}
interval=${BACKUP_INTERVAL:-86400}
keep=${BACKUP_KEEP:-14}
case "$interval$keep" in *[!0-9]*) echo "BACKUP_INTERVAL and BACKUP_KEEP must be whole numbers" >&2; exit 2;; esac
[ "$keep" -ge 1 ] || { echo "BACKUP_KEEP must be at least 1" >&2; exit 2; }
mkdir -p "$dir"

backup_once() {
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    final="$dir/catalogue-$stamp.dump"
    partial="$dir/.catalogue-$stamp.dump.partial"
    # Custom format: compressed, and pg_restore can restore all of it or single tables.
    if ! pg_dump --format=custom --file="$partial"; then
        rm -f "$partial"
        echo "backup FAILED at $stamp" >&2
        return 1
    fi
    mv "$partial" "$final"  # a dump in the folder is always a whole one
    echo "backup written: $final ($(wc -c < "$final") bytes)"
    # Retention: the newest $keep dumps stay (names sort by time).
    count=$(ls "$dir"/catalogue-*.dump 2>/dev/null | wc -l)
    if [ "$count" -gt "$keep" ]; then
        ls "$dir"/catalogue-*.dump | sort | head -n $((count - keep)) | while read -r old; do
            rm -f "$old" && echo "backup removed (keeping $keep): $old"
        done
    fi
}

if [ "${BACKUP_ONCE:-0}" = 1 ]; then
    backup_once
    exit
fi
while :; do
    backup_once || true  # a failed night is logged; the next one still runs
    sleep "$interval"
done
