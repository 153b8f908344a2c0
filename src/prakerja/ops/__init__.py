"""Running the platform in production: health and readiness probes, Prometheus metrics, request ids,
JSON logs and the gunicorn configuration (docs/operations.md, docs/decisions/0013)."""
