"""Backups that restore: a consistent snapshot of the database and of the files its rows name,
with a manifest of hashes; restore; and a check of the file store.

The snapshot is consistent because files are written (and fsynced) before the row that names
them is committed, and a file named by a committed row is never changed: copying the files
named by the snapshot's own rows gives a matching pair. While a backup runs, a lock file keeps
the orphan sweeper from removing a replaced file the snapshot still names."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url

from portal import storage
from portal.contributions import listing_cache
from portal.extensions import db
from portal.models import DocumentFile, EntryFile, EntryVersion

MANIFEST = "manifest.json"
FORMAT = 1
# The instance's settings (instance/config.py: the secret key among them), kept beside the data so
# that a new machine can be given them back (`restore --with-config`).
CONFIG_COPY = "instance-config.py"


class BackupError(Exception):
    """One sentence for the operator."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def _lock_path() -> Path:
    return Path(current_app.instance_path) / "backup.lock"


@contextmanager
def backup_lock():
    lock = _lock_path()
    lock.write_text(f"{os.getpid()} {time.time()}\n")
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def backup_running(max_age_seconds: int = 6 * 3600) -> bool:
    lock = _lock_path()
    try:
        return time.time() - lock.stat().st_mtime < max_age_seconds
    except FileNotFoundError:
        return False


def _run_pg_tool(args: list[str]) -> subprocess.CompletedProcess:
    """Run pg_dump or pg_restore from PATH, without a shell; the arguments come from the
    operator's configuration and command line, never from a request."""
    return subprocess.run(args, capture_output=True, text=True)  # noqa: S603 # nosec B603


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _pg_libpq_url(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class BackupResult:
    dest: Path
    files: int
    bytes: int
    database: str


def backup(dest: Path) -> BackupResult:
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty; choose a new folder for the backup.")
    dest.mkdir(parents=True, exist_ok=True)
    url = _url()
    with backup_lock():
        if url.get_backend_name() == "sqlite":
            snapshot = dest / "portal.db"
            src = sqlite3.connect(url.database)
            try:
                dst = sqlite3.connect(snapshot)
                with dst:
                    src.backup(dst)  # SQLite's online backup API: a consistent copy while others write
                dst.close()
            finally:
                src.close()
            keys = _keys_in_sqlite(snapshot)
            database = "sqlite"
            db_file = snapshot
        elif url.get_backend_name() == "postgresql":
            db_file = dest / "portal.pgdump"
            # pg_dump runs in one repeatable-read transaction: a consistent snapshot.
            run = _run_pg_tool(["pg_dump", "--format=custom", "--no-owner", f"--file={db_file}",
                                "--serializable-deferrable", _pg_libpq_url(url)])
            if run.returncode != 0:
                raise BackupError(f"pg_dump failed: {run.stderr.strip()[:300]}")
            keys = _keys_from_pg_dump(db_file)
            database = "postgresql"
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported.")

        files, total = [], 0
        for key, sha in sorted(keys.items()):
            src_path = storage.path_for(key)
            target = dest / "uploads" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(src_path, target)
            except FileNotFoundError:
                raise BackupError(f"The stored file {key} named by the database is missing; "
                                  "run `flask --app app verify-storage`.") from None
            got = _sha256(target)
            if got != sha:
                raise BackupError(f"The stored file {key} does not match its recorded hash.")
            size = target.stat().st_size
            files.append({"key": key, "sha256": sha, "size": size})
            total += size

    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(),
        "database": database,
        "database_file": db_file.name,
        "database_sha256": _sha256(db_file),
        "files": files,
    }
    config = Path(current_app.instance_path) / "config.py"
    if config.is_file():
        copy = dest / CONFIG_COPY
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(config.read_bytes())
        manifest["config"] = {"file": CONFIG_COPY, "sha256": _sha256(copy)}
    tmp = dest / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1))
    os.replace(tmp, dest / MANIFEST)
    return BackupResult(dest, len(files), total, database)


# Every table that names stored files: (table, key column, hash column). Contributions' files, and the
# Stocktaking's files and images (versions of an entry share the bytes: a key may appear more than once).
STORED = (("document_files", "storage_key", "sha256"), ("stocktaking_files", "storage_key", "sha256"),
          ("stocktaking_versions", "image_key", "image_sha256"))
_STORED_QUERIES = {  # the same, as the constant statements the snapshot is read with
    "document_files": "SELECT storage_key, sha256 FROM document_files",
    "stocktaking_files": "SELECT storage_key, sha256 FROM stocktaking_files",
    "stocktaking_versions": "SELECT image_key, image_sha256 FROM stocktaking_versions WHERE image_key IS NOT NULL",
}


def _keys_in_sqlite(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        keys: dict[str, str] = {}
        for table, _key, _sha in STORED:
            keys.update(conn.execute(_STORED_QUERIES[table]).fetchall())
        return keys
    finally:
        conn.close()


def _keys_from_pg_dump(dump: Path) -> dict[str, str]:
    """Read the rows that name stored files out of the dump itself, so that the files match it."""
    keys: dict[str, str] = {}
    for table, key_column, sha_column in STORED:
        run = _run_pg_tool(["pg_restore", "--data-only", f"--table={table}", "--file=-", str(dump)])
        if run.returncode != 0:
            raise BackupError(f"pg_restore could not read the dump: {run.stderr.strip()[:300]}")
        copying, columns = False, []
        for line in run.stdout.splitlines():
            if line.startswith(f"COPY public.{table} "):
                columns = [c.strip() for c in line[line.index("(") + 1:line.index(")")].split(",")]
                copying = True
                continue
            if copying:
                if line == "\\.":
                    break
                values = dict(zip(columns, line.split("\t"), strict=False))
                if values.get(key_column) not in (None, "\\N"):
                    keys[values[key_column]] = values[sha_column]
    return keys


def stored_rows() -> dict[str, str]:
    """Every stored key the database names, with its hash."""
    rows: dict[str, str] = dict(db.session.execute(select(DocumentFile.storage_key, DocumentFile.sha256)).all())
    rows.update(db.session.execute(select(EntryFile.storage_key, EntryFile.sha256)).all())
    rows.update(db.session.execute(select(EntryVersion.image_key, EntryVersion.image_sha256)
                                   .where(EntryVersion.image_key.is_not(None))).all())
    return rows


@dataclass
class Verification:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)


def verify_storage() -> Verification:
    """Every row's file exists with its hash; files without a row are listed."""
    v = Verification()
    known = set()
    for key, sha in stored_rows().items():
        known.add(key)
        v.checked += 1
        try:
            path = storage.path_for(key)
        except ValueError:
            v.corrupt.append(key)
            continue
        if not path.is_file():
            v.missing.append(key)
        elif _sha256(path) != sha:
            v.corrupt.append(key)
    v.orphans = [k for k in storage.list_keys() if k not in known]
    return v


def sweep(older_than_seconds: int = 3600) -> list[str]:
    if backup_running():
        raise BackupError("A backup is running; sweep again when it has finished.")
    known = set(stored_rows())
    return storage.sweep_orphans(known, older_than_seconds=older_than_seconds)


def read_manifest(src: Path) -> dict:
    try:
        manifest = json.loads((Path(src) / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{src} has no {MANIFEST}: it is not a backup of the portal.") from None
    except json.JSONDecodeError:
        raise BackupError(f"The {MANIFEST} of {src} is damaged.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{src} was written by another version of the backup format.")
    return manifest


def check_backup(src: Path) -> dict:
    """Refuse a backup whose files do not match its manifest, before anything is replaced."""
    src = Path(src)
    manifest = read_manifest(src)
    db_file = src / manifest["database_file"]
    if not db_file.is_file() or _sha256(db_file) != manifest["database_sha256"]:
        raise BackupError("The database file of the backup is missing or does not match its hash.")
    for f in manifest["files"]:
        p = src / "uploads" / f["key"]
        if not p.is_file() or _sha256(p) != f["sha256"]:
            raise BackupError(f"The file {f['key']} of the backup is missing or damaged.")
    config = manifest.get("config")
    if config and (not (src / config["file"]).is_file() or _sha256(src / config["file"]) != config["sha256"]):
        raise BackupError("The settings file of the backup is missing or does not match its hash.")
    return manifest


def restore_config(src: Path, instance: Path) -> bool:
    """Put the backup's settings (instance/config.py) into an instance that has none. Returns False if
    the instance has the very same settings already; raises BackupError if it has other ones (move them
    aside first) or the backup holds none."""
    manifest = check_backup(src)
    config = manifest.get("config")
    if not config:
        raise BackupError("This backup holds no settings (it was taken from an instance without "
                          "instance/config.py); restore without --with-config.")
    data = (Path(src) / config["file"]).read_bytes()
    target = Path(instance) / "config.py"
    if target.exists():
        if target.read_bytes() == data:
            return False
        raise BackupError(f"{target} already holds other settings; move it aside to restore the backup's.")
    Path(instance).mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".py.restore-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return True


def restore(src: Path) -> dict:
    """Bring a backup back: the database, then the files. Stop the portal first."""
    src = Path(src)
    manifest = check_backup(src)
    url = _url()
    backend = url.get_backend_name()
    if backend != manifest["database"]:
        raise BackupError(f"This backup is of a {manifest['database']} database; the portal is "
                          f"configured for {backend}.")
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        target = Path(url.database)
        tmp = target.with_name(target.name + ".restore-tmp")
        shutil.copyfile(src / manifest["database_file"], tmp)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(tmp, target)
    else:
        run = _run_pg_tool(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                            f"--dbname={_pg_libpq_url(url)}", str(src / manifest["database_file"])])
        if run.returncode != 0:
            raise BackupError(f"pg_restore failed: {run.stderr.strip()[:300]}")
    root = storage.upload_root()
    for f in manifest["files"]:
        target = root / f["key"]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = root / (storage.TEMP_PREFIX + f["key"].replace("/", "-"))
        shutil.copyfile(src / "uploads" / f["key"], tmp)
        os.replace(tmp, target)
    _after_restore()
    return manifest


def _after_restore() -> None:
    """A backup of an older version comes back at today's schema, and every listing a running worker
    may have cached counts as changed (its generation jumps past any number reached before)."""
    upgrade()
    listing_cache.restart_all()
    db.session.commit()
