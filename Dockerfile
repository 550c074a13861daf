# The backend as a container: `customer-health serve`, configured only by the environment
# (docs/operations.md). Stage 1 builds the wheel (the Zendesk app inside it); stage 2 installs
# it into a virtualenv; the final image has that virtualenv, no build tools, no source tree.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY zendesk_app ./zendesk_app
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
    && python -m venv /opt/customer-health \
    && /opt/customer-health/bin/pip install /wheels/*.whl

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/customer-health/bin:$PATH \
    HOST=0.0.0.0 PORT=8000 DATABASE_URL=sqlite:////data/customer-health.db
COPY --from=build /opt/customer-health /opt/customer-health
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin app \
    && mkdir -p /data && chown app /data
USER app
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"]
CMD ["customer-health", "serve"]
