# The o2o API image. `docker compose up` (see docker-compose.yml) runs it against Postgres and
# Redis; on its own it serves with the defaults of api/settings.py (SQLite under /app/var and an
# in-process Redis), which is for trying it out only.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Install the project (a regular, non-editable install), then drop the sources.
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir . \
    && cd / \
    && rm -rf /src

# Run as an unprivileged user whose home is the working directory, so the default
# sqlite://var/o2o.sqlite3 database has somewhere writable to go.
RUN groupadd --system o2o \
    && useradd --system --gid o2o --home-dir /app --create-home --shell /usr/sbin/nologin o2o
WORKDIR /app
USER o2o

EXPOSE 8000

# /healthz answers 200 only when the database and Redis both answer. slim has no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["o2o", "serve", "--host", "0.0.0.0", "--no-worker"]
