# 五星示范 · 双优引领 — application image (one Streamlit process per container).
# Build on a machine with internet access: docker build -t wuxing:latest .
# For an offline intranet server, move the built image with docker save / docker load
# (see docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# A fixed, unprivileged user; the code stays root-owned and read-only to it.
RUN groupadd --system --gid 10001 wuxing \
    && useradd --system --uid 10001 --gid wuxing --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin wuxing \
    && mkdir -p /app/data && chown wuxing:wuxing /app/data

COPY --chown=root:root . .

USER wuxing

EXPOSE 8501

# /healthz answers 200 only when the process is up and the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(0 if u.urlopen('http://127.0.0.1:8501/healthz', timeout=4).status == 200 else 1)"]

CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
