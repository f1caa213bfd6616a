"""gunicorn settings for `make run` and production. Every value can be overridden by the
environment (HOST, PORT, WORKERS, THREADS) or by gunicorn's own command-line options."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS", "2"))
threads = int(os.environ.get("THREADS", "4"))
worker_class = "gthread"
# Uploads of 20 MB over a slow link take time; extraction runs in a child with its own limit.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
accesslog = "-"
# Reset and confirmation tokens never reach the access log.
logger_class = "portal.gunicorn_logging.RedactingLogger"
access_log_format = '{"time": "%(t)s", "remote": "%(h)s", "request": "%(r)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s"}'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Request line and header limits (defence against oversized headers).
limit_request_line = 8190
limit_request_fields = 100
