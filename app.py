"""WSGI entry point: `flask --app app ...` and `gunicorn app:app`.

A portal that cannot start as configured says why in one sentence and exits (status 3,
which also stops gunicorn instead of restarting workers in a loop)."""

import sys

from portal import ConfigurationError, create_app

try:
    app = create_app()
except ConfigurationError as exc:
    print(f"The portal cannot start: {exc}", file=sys.stderr)
    sys.exit(3)
