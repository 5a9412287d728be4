"""Operating the app: health checks, Prometheus metrics, request logs, scheduled-job pages."""
