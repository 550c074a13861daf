# The backend as a container: `customer-health serve`, configured by the environment (README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000 \
    DATABASE_URL=sqlite:////data/customer-health.db
WORKDIR /app
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY zendesk_app ./zendesk_app
RUN pip install --no-cache-dir . && useradd --system --home /data app && mkdir -p /data \
    && chown app /data
USER app
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["customer-health", "serve"]
