"""WSGI entry point: `flask --app app ...` and `gunicorn app:app`.

A portal that cannot start as configured says why in one sentence and exits (status 3,
which also stops gunicorn instead of restarting workers in a loop)."""

import sys

from portal import ConfigurationError, create_app
from portal.errors import MissingSecretKey
from portal.instance_setup import prepare_for_restore


def _load():
    try:
        return create_app()
    except MissingSecretKey:
        # A restore onto a new machine: the instance is set up first (README, "Restore onto a new machine").
        done = prepare_for_restore(sys.argv)
        if done is None:
            raise
        print(f"This instance had no settings: {done}.", file=sys.stderr)
        return create_app()


try:
    app = _load()
except ConfigurationError as exc:
    print(f"The portal cannot start: {exc}", file=sys.stderr)
    sys.exit(3)
