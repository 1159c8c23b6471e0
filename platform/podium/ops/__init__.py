"""What operators see and do: health and readiness, Prometheus metrics, structured logs, backups."""
