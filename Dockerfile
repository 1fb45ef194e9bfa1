# The catalogue under gunicorn. Built and run by docker-compose.yml; see README "Production".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Only what the site runs on: requirements/runtime.txt, pinned with hashes (the test and lint
# tools are in dev.txt; tests/test_compose.py runs the containers' commands without them).
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --require-hashes -r requirements/runtime.txt

COPY . .
# The search index's folder, owned by the app's user (a new named volume takes its owner).
RUN useradd --system --home /app catalogue && chown -R catalogue /app \
    && mkdir -p /var/lib/catalogue/search-index && chown -R catalogue /var/lib/catalogue
USER catalogue

EXPOSE 8000
# Collects static files before the default command, the web server (docker/entrypoint.sh).
ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]
