"""Where file bytes live: generated names, hashes, atomic writes, safe downloads.

A stored file is named ``<2 hex>/<32 hex>`` (a UUID4, its first two digits as the folder) under the upload
root, which lies outside static/. The name a user gave is never part of a path: it is kept for display only,
cleaned by safe_display_name. Files are written to a ``.tmp-`` name in the upload root, fsynced and renamed,
so a reader never sees half a file; sweep_orphans removes files that never got a database row.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from portal.errors import UserError
from portal.extract import FileRejected

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
TEMP_PREFIX = ".tmp-"
KEY_PATTERN = re.compile(r"([0-9a-f]{2})/([0-9a-f]{32})")
NAME_PATTERN = re.compile(r"[0-9a-f]{32}")
MAX_DISPLAY_NAME = 200
MAX_EXTENSION = 16

# Characters removed from display names: controls (C0, DEL, C1, incl. CR/LF/TAB and NUL), bidi embeddings,
# overrides, isolates and marks, the byte-order mark, line/paragraph separators, lone surrogates.
UNSAFE_NAME_CHARS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]"
)

# Content types a browser would run. Served, they become opaque bytes.
ACTIVE_MIMETYPES = {
    "text/html",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "text/javascript",
    "application/javascript",
}
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, no-store, max-age=0",
    "X-Portal-Download": "1",  # tells the app's after_request to restore this CSP over the page CSP
}


@dataclass(frozen=True)
class StoredFile:
    key: str
    sha256: str
    size: int


class StorageError(UserError):
    """The server could not store or read a file (disk full, permissions). The message is for the user,
    at the form's file field."""

    def __init__(self, message):
        super().__init__(message, "file")


def upload_root() -> Path:
    folder = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return root


def save_upload(stream: BinaryIO, *, max_bytes: int) -> StoredFile:
    """Copy a binary stream into the store, at most max_bytes (FileRejected "size" beyond)."""
    root = upload_root()
    digest = hashlib.sha256()
    size = 0
    temp_path: str | None = None
    try:
        fd, temp_path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=root)
        try:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileRejected("size", max_bytes=max_bytes)
                digest.update(chunk)
                _write_all(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        key = _new_key()
        final = root / key
        final.parent.mkdir(exist_ok=True)
        os.replace(temp_path, final)
        temp_path = None
        _fsync_dir(final.parent)
    except OSError as exc:
        log.error("could not store an upload: %s", exc)
        raise StorageError(
            _l("The server could not store the file because of a storage problem. Please try again later.")
        ) from exc
    finally:
        if temp_path is not None:
            _remove_quietly(Path(temp_path))
    return StoredFile(key=key, sha256=digest.hexdigest(), size=size)


def save_bytes(data: bytes) -> StoredFile:
    """Store bytes the portal generated itself (exports, converted text)."""
    return save_upload(io.BytesIO(data), max_bytes=len(data))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written == 0:
            raise OSError(errno.EIO, "short write")
        view = view[written:]


def _new_key() -> str:
    name = uuid.uuid4().hex
    return f"{name[:2]}/{name}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.error("could not remove %s: %s", path.name, exc)


def path_for(key: str) -> Path:
    """The path of a stored file; ValueError for anything that is not a key this module made."""
    match = KEY_PATTERN.fullmatch(key) if isinstance(key, str) else None
    if not match or not match.group(2).startswith(match.group(1)):
        raise ValueError("not a storage key")
    root = upload_root()
    path = root / match.group(1) / match.group(2)
    if path.resolve().parent.parent != root:
        raise ValueError("storage key outside the upload root")
    return path


def delete(key: str) -> None:
    path_for(key).unlink(missing_ok=True)


def file_hash(key: str) -> str:
    digest = hashlib.sha256()
    with path_for(key).open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(key: str, sha256: str) -> bool:
    """The file exists and has the recorded hash."""
    try:
        return file_hash(key) == sha256.lower()
    except FileNotFoundError:
        return False


def list_keys() -> Iterator[str]:
    """Every stored key; temp files and anything else are ignored."""
    root = upload_root()
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and re.fullmatch(r"[0-9a-f]{2}", folder.name):
            for file in sorted(folder.iterdir()):
                if NAME_PATTERN.fullmatch(file.name) and file.name.startswith(folder.name) and file.is_file():
                    yield f"{folder.name}/{file.name}"


def sweep_orphans(known_keys: set[str], *, older_than_seconds: int = 3600) -> list[str]:
    """Delete stored files that have no row and temp files, both older than the threshold (a younger one may
    belong to an upload still in progress). Returns the keys and temp names removed."""
    root = upload_root()
    cutoff = time.time() - older_than_seconds
    removed = []
    for key in list(list_keys()):
        if key not in known_keys and _older_than(root / key, cutoff):
            _remove_quietly(root / key)
            removed.append(key)
    for temp in root.glob(TEMP_PREFIX + "*"):
        if temp.is_file() and _older_than(temp, cutoff):
            _remove_quietly(temp)
            removed.append(temp.name)
    return removed


def _older_than(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def safe_display_name(name: str | None, *, fallback: str = "document") -> str:
    """A file name fit for display and for Content-Disposition: no path, no control or bidi characters,
    NFC, at most 200 characters with the extension kept."""
    if not name:
        return fallback
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = UNSAFE_NAME_CHARS.sub("", name)
    name = name.lstrip(". ").rstrip()
    if len(name) > MAX_DISPLAY_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and 0 < len(extension) <= MAX_EXTENSION:
            name = stem[: MAX_DISPLAY_NAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_DISPLAY_NAME].rstrip()
    return name or fallback


def download_response(key: str, *, download_name: str, mimetype: str) -> Response:
    """The stored file as an attachment that a browser will neither render nor sniff."""
    path = path_for(key)
    if not path.is_file():
        log.error("stored file %s is missing", key)
        raise NotFound()
    if mimetype.split(";")[0].strip().lower() in ACTIVE_MIMETYPES:
        mimetype = "application/octet-stream"
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=True,
        download_name=safe_display_name(download_name),
        conditional=True,
        etag=True,
        max_age=0,
    )
    response.headers.update(DOWNLOAD_HEADERS)
    response.expires = None
    return response
