"""What operators see of a running backend: Prometheus metrics and structured logs."""
