"""Malware scanning with ClamAV's daemon, clamd, through its documented INSTREAM command.

ANTIVIRUS_URL names the daemon: ``unix:///run/clamav/clamd.ctl`` or ``tcp://host:3310``. With none set
(the embedded default) files are accepted unscanned and the secretariat's dashboard and /healthz say so.

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file as chunks, each a 4-byte unsigned length in
network byte order followed by that many bytes, then a zero length; clamd answers one NUL-terminated
line: ``stream: OK``, ``stream: <signature> FOUND`` or ``... ERROR`` (e.g. ``INSTREAM size limit
exceeded``). Anything else, a refused connection or a timeout means the file could not be scanned: the
caller keeps it in quarantine (fail closed)."""

from __future__ import annotations

import enum
import logging
import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

log = logging.getLogger("portal.antivirus")

CHUNK = 64 * 1024
MAX_REPLY = 4096


class Verdict(enum.StrEnum):
    CLEAN = "clean"
    INFECTED = "infected"
    UNAVAILABLE = "unavailable"  # no answer: keep the file in quarantine and try again later
    NOT_CONFIGURED = "not_configured"


@dataclass(frozen=True)
class ScanResult:
    verdict: Verdict
    signature: str | None = None  # the name of what was found
    detail: str | None = None  # why the scanner could not answer (for the log and the operator)


class ScannerError(Exception):
    """The daemon could not be reached, did not answer in time, or answered something unexpected."""


def configured(app=None) -> bool:
    return bool((app or current_app).config.get("ANTIVIRUS_URL"))


def _connect(url: str, timeout: float) -> socket.socket:
    parts = urlsplit(url)
    try:
        if parts.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(parts.path)
            return sock
        if parts.scheme == "tcp" and parts.hostname:
            return socket.create_connection((parts.hostname, parts.port or 3310), timeout=timeout)
    except OSError as exc:
        raise ScannerError(f"cannot connect to {url}: {exc.__class__.__name__}: {exc}") from exc
    raise ScannerError(f"ANTIVIRUS_URL must be unix:///path or tcp://host:port, not {url!r}")


def _reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0") and len(data) < MAX_REPLY:
        part = sock.recv(MAX_REPLY)
        if not part:
            break
        data += part
    return data.rstrip(b"\0\n").decode("utf-8", "replace")


def _command(url: str, timeout: float, command: bytes) -> str:
    sock = _connect(url, timeout)
    try:
        sock.sendall(b"z" + command + b"\0")
        return _reply(sock)
    except OSError as exc:
        raise ScannerError(f"{command.decode()} failed: {exc.__class__.__name__}: {exc}") from exc
    finally:
        sock.close()


def version(url: str, timeout: float = 5.0) -> str:
    """The daemon's version line, e.g. "ClamAV 1.4.6/27000/..."; raises ScannerError."""
    return _command(url, timeout, b"VERSION")


def scan_path(path: str | Path, *, url: str | None = None, timeout: float | None = None) -> ScanResult:
    """Scan one file's bytes. Never raises: a scanner that cannot answer gives UNAVAILABLE."""
    cfg = current_app.config
    url = url if url is not None else cfg.get("ANTIVIRUS_URL")
    if not url:
        return ScanResult(Verdict.NOT_CONFIGURED)
    timeout = timeout if timeout is not None else cfg["ANTIVIRUS_TIMEOUT_SECONDS"]
    try:
        answer = _instream(url, Path(path), timeout)
    except ScannerError as exc:
        log.warning("antivirus unavailable: %s", exc)
        return ScanResult(Verdict.UNAVAILABLE, detail=str(exc)[:300])
    if answer == "stream: OK":
        return ScanResult(Verdict.CLEAN)
    if answer.startswith("stream: ") and answer.endswith(" FOUND"):
        signature = answer[len("stream: "):-len(" FOUND")].strip() or "unknown"
        log.warning("antivirus found %s", signature)
        return ScanResult(Verdict.INFECTED, signature=signature)
    log.warning("antivirus could not scan a file: %s", answer[:200])
    return ScanResult(Verdict.UNAVAILABLE, detail=answer[:300] or "no answer")


def _instream(url: str, path: Path, timeout: float) -> str:
    sock = _connect(url, timeout)
    try:
        sock.sendall(b"zINSTREAM\0")
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        return _reply(sock)
    except OSError as exc:  # timeouts included; clamd closes the socket when a stream is too long
        raise ScannerError(f"scan failed: {exc.__class__.__name__}: {exc}") from exc
    finally:
        sock.close()


def status() -> dict:
    """For /healthz and the secretariat's dashboard: "off" (no scanner configured: uploads are not
    scanned), "ok" with the daemon's version, or "unavailable"."""
    url = current_app.config.get("ANTIVIRUS_URL")
    if not url:
        return {"status": "off"}
    try:
        return {"status": "ok", "version": version(url, timeout=2.0)}
    except ScannerError as exc:
        return {"status": "unavailable", "detail": str(exc)[:200]}
