# One image for every Podium service: web, worker, gpu-worker, beat and the migrate one-shot
# differ only in their command (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=podium.config.settings \
    PODIUM_DATA_DIR=/data \
    PODIUM_SOLUTIONS_ROOT=/solutions \
    PODIUM_STATIC_ROOT=/app/static \
    PROMETHEUS_MULTIPROC_DIR=/tmp/podium-metrics

WORKDIR /app
# bubblewrap: the sandbox of all code Podium did not write (kernels, organizer metric files).
# It needs unprivileged user namespaces in the container: see docker-compose.yml's security_opt.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 podium \
    && mkdir -p /data /solutions && chown podium:podium /data /solutions

# The dependencies, in a layer that is rebuilt only when pyproject.toml changes: installed from
# pyproject with empty packages standing in for the code, which is then uninstalled again.
COPY pyproject.toml README.md ./
RUN mkdir -p scoring platform/podium \
    && touch scoring/__init__.py platform/podium/__init__.py \
    && pip install . \
    && pip uninstall -y podium \
    && rm -rf scoring platform build *.egg-info

COPY manage.py ./
COPY scoring ./scoring
COPY baselines ./baselines
COPY platform ./platform
# The code itself, in place (editable): `podium` and `scoring` import from /app.
RUN pip install --no-deps -e . \
    && PODIUM_DATA_DIR=/tmp/build DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
       python manage.py collectstatic --noinput -v0 \
    && rm -rf /tmp/build

USER podium
EXPOSE 8000
# Threaded workers from PODIUM_WEB_* (podium/config/gunicorn.py): reads answer beside uploads.
# /metrics merges every worker's request counts through PROMETHEUS_MULTIPROC_DIR (above), which
# gunicorn empties at each start; Celery's containers write nothing there.
CMD ["gunicorn", "-c", "python:podium.config.gunicorn"]
