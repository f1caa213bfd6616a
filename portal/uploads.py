"""Receiving an uploaded file: store its bytes under a generated name, decide what it is from those
bytes, and read its text in a sandboxed child process. Every kind of record that carries files goes
through `receive_file`; the form flow (`portal.formflow`) calls it and discards what a refused
request stored."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal import storage
from portal.extract import Extraction, Inspection, extract_text, inspect_file


@dataclass
class Upload:
    """A file received, stored under a generated name, checked and read."""

    stored: storage.StoredFile
    inspection: Inspection
    extraction: Extraction
    filename: str

    def discard(self) -> None:
        storage.delete(self.stored.key)


def receive_file(stream, filename: str | None) -> Upload:
    """Store the bytes, decide what they are, and extract the text. A file refused for its type, size
    or safety is deleted at once and FileRejected raised. A file accepted whose text cannot be read is
    kept: the upload says so and the secretariat sees the flag."""
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    stored = storage.save_upload(stream, max_bytes=max_bytes)
    try:
        inspection = inspect_file(storage.path_for(stored.key), max_bytes=max_bytes)
    except BaseException:
        storage.delete(stored.key)
        raise
    extraction = extract_text(
        storage.path_for(stored.key), inspection.kind,
        timeout=current_app.config["EXTRACT_TIMEOUT_SECONDS"],
        memory_mb=current_app.config["EXTRACT_MEMORY_MB"],
    )
    name = storage.safe_display_name(filename, fallback=f"document{inspection.extension}")
    return Upload(stored, inspection, extraction, name)
