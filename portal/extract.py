"""What an uploaded file is, and its text, safely.

The type is decided by the bytes and by a structural check, never by the file name or the client's
Content-Type. Everything that parses the file (pypdf, the zip directory, defusedxml, charset detection) runs in
a child process, ``portal/extract_worker.py``, started with ``python -I`` under a wall-clock timeout and an
address-space limit: a hostile file can kill that child, never the web worker.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from portal.errors import UserError

log = logging.getLogger(__name__)

WORKER = Path(__file__).with_name("extract_worker.py")
EXIT_MEMORY = 3  # as in extract_worker
INSPECT_TIMEOUT = 15.0
HEAD_BYTES = 1024

# Formats recognised at once by their first bytes, to be refused without starting a child.
BINARY_MAGIC = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",  # JPEG
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: .doc, .xls, and password-protected Office files
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\xfd7zXZ\x00",
)


class FileKind(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    TEXT = "txt"


MIMETYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.ODT: "application/vnd.oasis.opendocument.text",
    FileKind.TEXT: "text/plain",
}


def _rejection_message(reason: str, max_bytes: int | None):
    messages = {
        "empty": _l("This file is empty."),
        "size": _l("This file is larger than the limit of %(limit)s.", limit=format_size(max_bytes or 0)),
        "type": _l("This file is not a PDF, DOCX, ODT or plain-text document."),
        "damaged": _l(
            "This file appears to be damaged and cannot be read. Please check that it opens on your "
            "computer and upload it again."
        ),
        "unsafe": _l(
            "This file was refused because its internal structure is unsafe. Please save the document "
            "again from your word processor and upload the new copy."
        ),
        "encrypted": _l(
            "This file is protected by a password or encryption. Please upload a copy without protection."
        ),
        "encoding": _l(
            "The character encoding of this text file could not be recognised. Please save it as UTF-8 "
            "and upload it again."
        ),
    }
    return messages[reason]


class FileRejected(UserError):
    """An upload the portal will not accept. ``message`` is a translatable sentence for the user;
    it belongs to the form's file field."""

    REASONS = ("empty", "size", "type", "damaged", "unsafe", "encrypted", "encoding", "infected")

    def __init__(self, reason: str, message=None, *, max_bytes: int | None = None):
        if reason not in self.REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        self.reason = reason
        super().__init__(message if message is not None else _rejection_message(reason, max_bytes), "file")


@dataclass
class Inspection:
    kind: FileKind
    mimetype: str
    extension: str  # canonical, with the dot: ".pdf"
    encoding: str | None = None  # text files only: the codec to decode them with
    pages: int | None = None  # PDF only


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogues without translating it here."""
    return message


# Sentences for the record (kept in English: the secretariat reads them later); reason is the stable code.
# They are in the catalogues too: pages translate them when they show them, e.g. _(file.extraction_error).
EXTRACTION_ERRORS = {
    "timeout": N_("The text could not be extracted within the time limit."),
    "memory": N_("The text could not be extracted within the memory limit."),
    "crashed": N_("The text extraction stopped unexpectedly."),
    "damaged": N_("The document appears to be damaged; its text could not be read."),
    "encrypted": N_("The document is encrypted; its text could not be read."),
    "unsafe": N_("The document was not read because its structure is unsafe."),
    "type": N_("The file is not a document of the expected type."),
    "encoding": N_("The character encoding of the text could not be recognised."),
    "unreadable": N_("The file could not be read from storage."),
    "no_text": N_("The document contains no text."),
}
NO_TEXT_IN_PDF = N_("No text could be extracted (the PDF may be a scanned image).")


@dataclass
class Extraction:
    ok: bool
    text: str
    error: str | None
    pages: int | None
    reason: str | None = None  # a key of EXTRACTION_ERRORS when not ok
    truncated: bool = False  # the text stopped at max_chars


def format_size(n: int):
    """A size for a message, e.g. "20 MB" (lazy: the unit follows the language the message is shown in)."""
    if n >= 1024 * 1024:
        return _l("%(size)s MB", size=f"{n / (1024 * 1024):.3g}")
    if n >= 1024:
        return _l("%(size)s KB", size=f"{n / 1024:.3g}")
    return _ln("%(num)d byte", "%(num)d bytes", n)


def inspect_file(
    path: str | Path, *, max_bytes: int, timeout: float = INSPECT_TIMEOUT, memory_mb: int = 512
) -> Inspection:
    """Decide what the file is from its bytes, or raise FileRejected."""
    path = Path(path).resolve()
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("empty")
    if size > max_bytes:
        raise FileRejected("size", max_bytes=max_bytes)
    candidate = sniff(read_head(path))
    answer = run_worker({"op": "inspect", "path": str(path), "candidate": candidate}, timeout, memory_mb)
    status = answer["status"]
    if status == "refused":
        raise FileRejected(answer["reason"] if answer["reason"] in FileRejected.REASONS else "damaged")
    if status != "ok":
        return _inconclusive(candidate, status)
    kind = FileKind(answer["kind"])
    return Inspection(kind, MIMETYPES[kind], "." + kind.value, answer.get("encoding"), answer.get("pages"))


def _inconclusive(candidate: str, status: str) -> Inspection:
    """The check ran out of time or memory. A file that starts like a PDF is accepted, so that the
    contribution is kept and its failed extraction flagged; a zip or text file is refused."""
    log.warning("file inspection %s for a %s candidate", status, candidate)
    if candidate == "pdf":
        return Inspection(FileKind.PDF, MIMETYPES[FileKind.PDF], ".pdf")
    raise FileRejected("unsafe" if candidate == "zip" and status != "crashed" else "damaged")


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def sniff(head: bytes) -> str:
    """The candidate format from the first bytes: "pdf", "zip" or "text"; known binaries are refused."""
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(BINARY_MAGIC):
        raise FileRejected("type")
    return "text"


def extract_text(
    path: str | Path,
    kind: FileKind,
    *,
    timeout: float = 30,
    memory_mb: int = 512,
    max_chars: int = 2_000_000,
    encoding: str | None = None,
) -> Extraction:
    """The text of an inspected file, NFC-normalised. Never raises for a bad file: ok=False instead."""
    kind = FileKind(kind)
    job = {
        "op": "extract",
        "path": str(Path(path).resolve()),
        "kind": kind.value,
        "encoding": encoding,
        "max_chars": max_chars,
    }
    answer = run_worker(job, timeout, memory_mb)
    if answer["status"] == "ok":
        return Extraction(True, answer["text"], None, answer.get("pages"), truncated=answer["truncated"])
    reason = answer.get("reason") or answer["status"]
    if reason not in EXTRACTION_ERRORS:
        reason = "crashed"
    error = NO_TEXT_IN_PDF if reason == "no_text" and kind is FileKind.PDF else EXTRACTION_ERRORS[reason]
    return Extraction(False, "", error, answer.get("pages"), reason=reason)


def run_worker(job: dict, timeout: float, memory_mb: int) -> dict:
    """Run one job in a fresh child; the answer's status is "ok", "refused", "timeout", "memory" or
    "crashed". The child is killed when the wall-clock timeout expires."""
    job = {**job, "memory_mb": int(memory_mb), "cpu_seconds": math.ceil(timeout) + 1}
    command = [sys.executable, "-I", str(WORKER)]
    # A fixed command, no shell, and an environment without the portal's secrets.
    # A fixed argv (our own worker script), no shell.
    child = subprocess.Popen(  # noqa: S603 # nosec B603
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
        cwd="/",
    )
    with child:
        try:
            out, err = child.communicate(json.dumps(job).encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            log.warning("file parsing child killed after %.3g s", timeout)
            return {"status": "timeout"}
        except BaseException:  # the web worker itself is being stopped: take the child along
            child.kill()
            raise
    if child.returncode == EXIT_MEMORY:
        return {"status": "memory"}
    if child.returncode != 0:
        log.warning("file parsing child exited with %s: %s", child.returncode, err[-500:])
        return {"status": "timeout" if child.returncode == -signal.SIGXCPU else "crashed"}
    try:
        return json.loads(out)
    except ValueError:
        return {"status": "crashed"}
