# The cockpit image: one image for the web workers (gunicorn app:server) and the scheduler (cockpit scheduler).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    COCKPIT_DATA_DIR=/var/lib/cockpit COCKPIT_RUN_SCHEDULER=false COCKPIT_TZ=Asia/Shanghai
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk curl chromium \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 cockpit && mkdir -p /var/lib/cockpit && chown cockpit /var/lib/cockpit

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY etl ./etl
COPY cockpit ./cockpit
COPY migrations ./migrations
COPY data ./data
COPY assets ./assets
COPY app.py gunicorn.conf.py ./
# editable: migrations/, data/ and assets/ are found beside the packages, as in a checkout
RUN pip install -c constraints.txt -e . && chown -R cockpit /app/data

USER cockpit
EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD curl -fsS http://127.0.0.1:8050/healthz >/dev/null || exit 1
CMD ["sh", "-c", "cockpit db upgrade && exec gunicorn app:server --workers 2 --bind 0.0.0.0:8050 --timeout 60"]
