"""Create the instance folder and its secret key if they are missing.

Run by `make run` and `make test` before anything else: `python -m portal.instance_setup`.
An existing instance/config.py is never changed."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = '''"""Settings of this instance (git-ignored). See README.md, "Settings", for every option."""

SECRET_KEY = "{secret}"
'''


def ensure_instance(instance: Path) -> bool:
    """Returns True if a new config.py was written."""
    instance.mkdir(parents=True, exist_ok=True)
    config = instance / "config.py"
    if config.exists():
        return False
    tmp = config.with_suffix(".py.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(TEMPLATE.format(secret=secrets.token_urlsafe(48)))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, config)
    return True


def main() -> int:
    instance = Path(os.environ.get("PORTAL_INSTANCE_PATH") or ROOT / "instance")
    try:
        created = ensure_instance(instance)
    except OSError as exc:
        print(f"Cannot prepare the instance folder {instance}: {exc.strerror}.", file=sys.stderr)
        return 1
    print(f"{'Created' if created else 'Kept'} {instance / 'config.py'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
