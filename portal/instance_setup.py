"""Create the instance folder and its secret key if they are missing.

Run by `make run` and `make test` before anything else: `python -m portal.instance_setup`.
An existing instance/config.py is never changed."""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = '''"""Settings of this instance (git-ignored). See README.md, "Settings", for every option."""

SECRET_KEY = "{secret}"
'''
PASSPORT_LINE = '''
# Encrypts the passport numbers of delegates (a key of its own: keep it with the backups' settings).
PASSPORT_KEY = "{key}"
'''


def _passport_key() -> str:
    # Fernet's key format (32 random bytes, url-safe base64), without importing the portal.
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _write(config: Path, text: str) -> None:
    tmp = config.with_suffix(".py.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, config)


def ensure_instance(instance: Path) -> bool:
    """Returns True if a new config.py was written. An existing one is kept; only a missing
    PASSPORT_KEY is added to it (instances made before delegation registration)."""
    instance.mkdir(parents=True, exist_ok=True)
    config = instance / "config.py"
    if config.exists():
        text = config.read_text()
        if "PASSPORT_KEY" not in text:
            _write(config, text.rstrip("\n") + "\n" + PASSPORT_LINE.format(key=_passport_key()))
        return False
    _write(config, TEMPLATE.format(secret=secrets.token_urlsafe(48)) + PASSPORT_LINE.format(key=_passport_key()))
    return True


def instance_path() -> Path:
    return Path(os.environ.get("PORTAL_INSTANCE_PATH") or ROOT / "instance")


def prepare_for_restore(argv: list[str]) -> str | None:
    """`flask --app app restore SRC [--with-config]` into an instance without settings (a new machine):
    give it the backup's settings (--with-config) or a new secret key, as `make run` would, so that the
    portal can start and the restore go on. Returns what was done, or None for any other command."""
    if "restore" not in argv:
        return None
    args = argv[argv.index("restore") + 1:]
    instance = instance_path()
    if "--with-config" in args:
        from portal.backup import BackupError, restore_config

        src = next((a for a in args if not a.startswith("-")), None)
        if src is None:
            return None
        try:
            restore_config(Path(src), instance)
        except BackupError as exc:
            print(f"The settings could not be restored: {exc}", file=sys.stderr)
            return None
        return f"the backup's settings were restored into {instance / 'config.py'}"
    ensure_instance(instance)
    return f"a new secret key was written to {instance / 'config.py'}"


def main() -> int:
    if sys.argv[1:] == ["--new-passport-key"]:
        print(_passport_key())
        return 0
    instance = instance_path()
    try:
        created = ensure_instance(instance)
    except OSError as exc:
        print(f"Cannot prepare the instance folder {instance}: {exc.strerror}.", file=sys.stderr)
        return 1
    print(f"{'Created' if created else 'Kept'} {instance / 'config.py'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
