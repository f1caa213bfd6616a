"""Receiving an uploaded file: store its bytes under a generated name, decide what it is from those
bytes, scan them for malware, and read its text in a sandboxed child process. Every kind of record
that carries files goes through `receive_file`; the form flow (`portal.formflow`) calls it and
discards what a refused request stored. Also here: scanning stored files again (`rescan`), and the
limit on uploads in progress per account and address (`register`)."""

from __future__ import annotations

import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import Flask, abort, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from portal import antivirus, audit, storage
from portal.extensions import db
from portal.extract import Extraction, FileRejected, Inspection, extract_text, inspect_file
from portal.models import DocumentFile, EntryFile, ScanStatus, UploadSlot, User
from portal.notify import send_to_user

SCAN_STATUS = {
    antivirus.Verdict.CLEAN: ScanStatus.CLEAN,
    antivirus.Verdict.UNAVAILABLE: ScanStatus.PENDING,
    antivirus.Verdict.NOT_CONFIGURED: ScanStatus.UNSCANNED,
}


@dataclass
class Upload:
    """A file received, stored under a generated name, checked and read."""

    stored: storage.StoredFile
    inspection: Inspection
    extraction: Extraction
    filename: str
    scan: ScanStatus = ScanStatus.UNSCANNED

    def discard(self) -> None:
        storage.delete(self.stored.key)


def receive_file(stream, filename: str | None) -> Upload:
    """Store the bytes, decide what they are, scan them for malware, and extract the text. A file
    refused for its type, size or safety, or found infected, is deleted at once and FileRejected
    raised. A file the scanner could not check (down or slow) is kept in quarantine (scan PENDING:
    never downloadable by others, never publishable) until `flask rescan` checks it. A file accepted
    whose text cannot be read is kept: the upload says so and the secretariat sees the flag."""
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    stored = storage.save_upload(stream, max_bytes=max_bytes)
    try:
        inspection = inspect_file(storage.path_for(stored.key), max_bytes=max_bytes)
        verdict = antivirus.scan_path(storage.path_for(stored.key))
        if verdict.verdict == antivirus.Verdict.INFECTED:
            raise FileRejected("infected", _l(
                "This file was refused: the virus scanner found %(name)s in it. Nothing of it was kept.",
                name=verdict.signature))
    except BaseException:
        storage.delete(stored.key)
        raise
    extraction = extract_text(
        storage.path_for(stored.key), inspection.kind,
        timeout=current_app.config["EXTRACT_TIMEOUT_SECONDS"],
        memory_mb=current_app.config["EXTRACT_MEMORY_MB"],
    )
    name = storage.safe_display_name(filename, fallback=f"document{inspection.extension}")
    return Upload(stored, inspection, extraction, name, SCAN_STATUS[verdict.verdict])


# Scanning again ---------------------------------------------------------------------------------------

@dataclass
class RescanReport:
    checked: int = 0
    clean: int = 0
    infected: list[tuple[int, str, str]] = field(default_factory=list)  # (file id, name, signature)
    missing: list[int] = field(default_factory=list)  # rows whose bytes are gone
    unavailable: str | None = None  # the scanner stopped answering: the rest waits for the next run


def files_to_rescan(*, pending_only: bool) -> list[int]:
    """The ids of the contributions' stored files to scan: those in quarantine, or every file not found
    infected."""
    return list(db.session.scalars(select(DocumentFile.id).where(DocumentFile.scan_status.in_(_wanted(pending_only)))
                                   .order_by(DocumentFile.id)))


def entry_files_to_rescan(*, pending_only: bool) -> list[int]:
    """The same for the files of Stocktaking entries."""
    return list(db.session.scalars(select(EntryFile.id).where(EntryFile.scan_status.in_(_wanted(pending_only)))
                                   .order_by(EntryFile.id)))


def _wanted(pending_only: bool) -> list[ScanStatus]:
    return [ScanStatus.PENDING] if pending_only else [ScanStatus.PENDING, ScanStatus.UNSCANNED, ScanStatus.CLEAN]


def rescan(file_ids: list[int], report: RescanReport) -> RescanReport:
    """Scan these stored files of contributions again and record what the scanner says (the caller
    commits). A file found infected is never downloadable again; its uploader is told by email and the
    audit log keeps the finding."""
    for f in db.session.scalars(select(DocumentFile).where(DocumentFile.id.in_(file_ids))
                                .order_by(DocumentFile.id)):
        if not _rescan_one(f, report, {"contribution": f.version.contribution_id}):
            return report
        if f.scan_status == ScanStatus.INFECTED and f.uploaded_by is not None:
            send_to_user(f.uploaded_by, "mail/file_infected.txt", file=f, signature=f.scan_signature,
                         contribution=f.version.contribution)
    db.session.flush()
    return report


def rescan_entry_files(file_ids: list[int], report: RescanReport) -> RescanReport:
    """The same for the files of Stocktaking entries (their versions share stored bytes: each row is
    scanned and marked)."""
    for f in db.session.scalars(select(EntryFile).where(EntryFile.id.in_(file_ids)).order_by(EntryFile.id)):
        if not _rescan_one(f, report, {"stocktaking_entry": f.version.entry_id}):
            return report
        uploader = db.session.get(User, f.uploaded_by_id) if f.uploaded_by_id else None
        if f.scan_status == ScanStatus.INFECTED and uploader is not None:
            send_to_user(uploader, "mail/entry_file_infected.txt", file=f, signature=f.scan_signature,
                         entry=f.version.entry)
    db.session.flush()
    return report


def _rescan_one(f, report: RescanReport, where: dict) -> bool:
    """Scan one file row and record the verdict on it; False when the scanner stopped answering."""
    path = storage.path_for(f.storage_key)
    if not path.exists():
        report.missing.append(f.id)
        return True
    result = antivirus.scan_path(path)
    if result.verdict in (antivirus.Verdict.UNAVAILABLE, antivirus.Verdict.NOT_CONFIGURED):
        report.unavailable = result.detail or "no ANTIVIRUS_URL is set"
        return False
    report.checked += 1
    f.scanned_at = datetime.now(timezone.utc)
    if result.verdict == antivirus.Verdict.CLEAN:
        f.scan_status, f.scan_signature = ScanStatus.CLEAN, None
        report.clean += 1
        return True
    f.scan_status, f.scan_signature = ScanStatus.INFECTED, (result.signature or "unknown")[:200]
    report.infected.append((f.id, f.filename, f.scan_signature))
    audit.record("file.infected", target=f, detail={"signature": f.scan_signature, **where})
    return True


# Limits on uploads in progress ---------------------------------------------------------------------------
# Checked before the request's body is parsed (the guard runs before CSRF protection parses the form), so
# that a burst from one account or address is refused at once instead of filling the store and keeping the
# extraction and the scanner busy. A slot names the process holding it: one left by a process that died
# on this machine is free at once, one of another machine after UPLOAD_SLOT_SECONDS.

HOLDER = f"{socket.gethostname()[:60]}:{{pid}}"


class TooManyUploads(Exception):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def _insert_slot(conn):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(UploadSlot)


def _holder() -> str:
    return HOLDER.format(pid=os.getpid())


def _dead_here(holder: str) -> bool:
    """A slot held by a process of this machine that no longer runs."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname()[:60] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire_slots(limits: list[tuple[str, int]], lifetime: timedelta) -> list[tuple[str, int, str]]:
    """One slot for each (key, limit), e.g. ("account:12", 2), all taken in one transaction or none.
    Raises TooManyUploads with the limit that was reached."""
    now = datetime.now(timezone.utc)
    token = secrets.token_hex(8)
    taken: list[tuple[str, int, str]] = []
    with db.engine.begin() as conn:
        for key, limit in limits:
            held = conn.execute(select(UploadSlot.slot, UploadSlot.holder, UploadSlot.acquired_at)
                                .where(UploadSlot.key == key)).all()
            stale = [row.slot for row in held if row.acquired_at < now - lifetime or _dead_here(row.holder)]
            if stale:
                conn.execute(delete(UploadSlot).where(UploadSlot.key == key, UploadSlot.slot.in_(stale)))
            for slot in range(limit):
                stmt = _insert_slot(conn).values(key=key, slot=slot, token=token, holder=_holder(), acquired_at=now)
                if conn.execute(stmt.on_conflict_do_nothing().returning(UploadSlot.slot)).first() is not None:
                    taken.append((key, slot, token))
                    break
            else:
                for k, s_, t in taken:
                    conn.execute(delete(UploadSlot).where(UploadSlot.key == k, UploadSlot.slot == s_,
                                                          UploadSlot.token == t))
                raise TooManyUploads(limit)
    return taken


def release_slots(taken: list[tuple[str, int, str]]) -> None:
    with db.engine.begin() as conn:
        for key, slot, token in taken:
            conn.execute(delete(UploadSlot).where(UploadSlot.key == key, UploadSlot.slot == slot,
                                                  UploadSlot.token == token))


def _discard_body(seconds: float) -> None:
    """Read and drop what the client is still sending (for a short while), so that it receives the
    answer: a server that closes a connection with unread data makes the client see a reset instead."""
    deadline = time.monotonic() + seconds
    stream = request.stream
    while time.monotonic() < deadline and stream.read(64 * 1024):
        pass


def register(app: Flask) -> None:
    """Install the upload guard. Call before CSRF protection is set up: hooks run in the order they were
    registered, and CSRF protection reads the whole body to find its token."""

    @app.before_request
    def _guard_uploads():
        if request.method != "POST" or request.mimetype != "multipart/form-data":
            return None
        cfg = app.config
        if request.content_length is not None and request.content_length > cfg["MAX_CONTENT_LENGTH"]:
            abort(413)
        limits = [(f"address:{request.remote_addr or 'unknown'}", cfg["UPLOADS_CONCURRENT_PER_ADDRESS"])]
        if current_user.is_authenticated:
            limits.insert(0, (f"account:{current_user.id}", cfg["UPLOADS_CONCURRENT_PER_ACCOUNT"]))
        try:
            g.upload_slots = acquire_slots(limits, timedelta(seconds=cfg["UPLOAD_SLOT_SECONDS"]))
        except TooManyUploads as exc:
            _discard_body(cfg["UPLOAD_REFUSED_DRAIN_SECONDS"])
            return render_template("errors/error.html", code=429, name="Too Many Requests", message=ngettext(
                "You already have %(num)d upload in progress. Wait until it has finished, then send this one again.",
                "You already have %(num)d uploads in progress. Wait until they have finished, then send this "
                "one again.", exc.limit)), 429, {"Retry-After": "30"}
        return None

    @app.teardown_request
    def _release_upload_slots(exc=None):
        taken = g.pop("upload_slots", None)
        if taken:
            release_slots(taken)
