# The catalogue under gunicorn. Built by docker-compose.yml; see README "Production".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
# collectstatic needs settings to load; these values exist only for this build step.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --no-input

RUN useradd --system --home /app catalogue && chown -R catalogue /app
USER catalogue
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi"]
