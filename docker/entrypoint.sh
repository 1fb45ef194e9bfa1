#!/bin/sh
# Every container of the image starts here. The web server (the image's default command)
# first collects the static files it serves; any other command (migrate, ingest,
# createsuperuser, a shell) runs as given. Migrations are the compose file's `migrate` service.
set -eu

if [ "${1:-}" = "gunicorn" ]; then
    python manage.py collectstatic --no-input --verbosity 0
fi
exec "$@"
