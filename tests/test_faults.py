"""Faults, on a real portal (gunicorn, several worker processes): parallel uploads, racing
moderators, workers killed with SIGKILL in the middle of uploads and publications, a full
disk. Each test ends with the invariants of SECURITY.md, "Faults"."""

from __future__ import annotations

import io
import os
import random
import socket
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.browser import PASSWORD, Session
from tests.live import LiveServer

pytestmark = pytest.mark.slow

SEC = "moderator@itu.example"
DELEGATES = [f"delegate{i}@gov.example" for i in range(4)]


def _prepare(server: LiveServer) -> None:
    server.flask("create-user", "--email", SEC, "--name", "Moderator", "--role", "secretariat",
                 "--password-stdin", input_=PASSWORD + "\n")
    for email in DELEGATES:
        server.flask("create-user", "--email", email, "--name", email.split("@")[0], "--organisation",
                     "Ministry of Faults", "--country", "CH", "--password-stdin", input_=PASSWORD + "\n")
    s = Session(server.url).login(SEC)
    r = s.form("/meetings/new", {"code": "FAULT-1", "title": "Fault meeting", "type": "forum",
                                 "place": "Geneva", "start_date": "2030-01-10", "end_date": "2030-01-12",
                                 "deadline_tz": "Europe/Zurich", "accept_late": "y",
                                 "symbol_prefix": "WSIS/FAULT-1", "status": "open"}, page="/meetings/new")
    assert r.status_code == 302, r.text[:1000]


def _database_for(databases, tmp_path) -> str | None:
    """None: the embedded default (SQLite in the instance); a fresh database under make test-postgres."""
    return databases.new(tmp_path, empty=True) if os.environ.get("TEST_DATABASE_URL") else None


@pytest.fixture
def server(tmp_path, request, databases):
    workers = getattr(request, "param", 2)
    url = _database_for(databases, tmp_path)
    srv = LiveServer(tmp_path / "instance", workers=workers, database_url=url)
    srv.start()
    _prepare(srv)
    yield srv
    srv.stop()
    if url:
        databases.drop(url)


def _submit(s: Session, title: str, body: bytes, name: str = "note.txt"):
    data = {"meeting": "FAULT-1", "title": title, "summary": "", "action_lines": ["C2"], "language": "fr",
            "submit": "1"}
    return s.form("/contributions/new", data, files={"file": (name, io.BytesIO(body), "text/plain")},
                  page="/contributions/new")


class _Conn:
    """A small DB-API-like wrapper over SQLAlchemy, for plain SQL on SQLite or PostgreSQL."""

    def __init__(self, server: LiveServer):
        url = server.env.get("FLASK_SQLALCHEMY_DATABASE_URI") or f"sqlite:///{server.instance / 'portal.db'}"
        self.engine = create_engine(url, poolclass=NullPool)
        self.conn = self.engine.connect()
        self.sqlite = url.startswith("sqlite")

    def execute(self, sql: str):
        return self.conn.execute(text(sql))

    def close(self):
        self.conn.close()
        self.engine.dispose()


def _db(server: LiveServer) -> _Conn:
    return _Conn(server)


def check_invariants(server: LiveServer) -> None:
    """The database is intact, every row's file exists with its hash, nothing is half visible."""
    conn = _db(server)
    try:
        if conn.sqlite:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # A published contribution has its number, its current version and published files.
        half = conn.execute("""
            SELECT c.id FROM contributions c LEFT JOIN versions v ON v.id = c.current_version_id
            WHERE c.state = 'published' AND (c.number IS NULL OR v.id IS NULL OR v.state != 'published'
              OR EXISTS (SELECT 1 FROM document_files f WHERE f.version_id = v.id AND f.published_at IS NULL
                         AND f.language = c.original_language))""").fetchall()
        assert half == []
        dupes = conn.execute("""SELECT meeting_id, series, number, COUNT(*) FROM contributions
                                WHERE number IS NOT NULL GROUP BY 1, 2, 3 HAVING COUNT(*) > 1""").fetchall()
        assert dupes == []
        published_events = conn.execute(
            "SELECT COUNT(*) FROM contribution_events WHERE action = 'publish'").fetchone()[0]
        published = conn.execute("SELECT COUNT(*) FROM contributions WHERE number IS NOT NULL").fetchone()[0]
        assert published_events == published
    finally:
        conn.close()
    r = server.flask("verify-storage", check=False)
    assert r.returncode == 0 and "0 missing, 0 damaged" in r.stdout, r.stdout + r.stderr
    assert "database is locked" not in server.log.read_text()
    index_catches_up(server)


def index_catches_up(server: LiveServer, timeout: float = 30.0) -> str:
    """The search index comes to hold exactly the published documents by itself (jobs left by a killed
    worker replay in the new ones), without anyone running check-index --fix."""
    deadline = time.monotonic() + timeout
    while True:
        # Any request lets a fresh worker notice jobs left behind.
        urllib.request.urlopen(server.url + "/search?q=x", timeout=10).read()  # noqa: S310
        r = server.flask("check-index", check=False)
        if r.returncode == 0:
            assert "The index matches the database." in r.stdout
            return r.stdout
        assert time.monotonic() < deadline, "the index did not catch up: " + r.stdout + r.stderr
        time.sleep(0.5)


def _count(server: LiveServer, sql: str) -> int:
    conn = _db(server)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("server", [4], indirect=True)
def test_many_parallel_uploads_through_several_workers(server):
    sessions = [Session(server.url).login(e) for e in DELEGATES]
    assert len(server.worker_pids()) == 4

    def upload(i):
        body = (f"Contribution parallèle numéro {i}. " * 2000).encode()
        return _submit(sessions[i % len(sessions)], f"Parallel {i}", body).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(upload, range(40)))
    assert statuses == [302] * 40
    assert _count(server, "SELECT COUNT(*) FROM contributions WHERE state = 'submitted'") == 40
    assert _count(server, "SELECT COUNT(*) FROM document_files WHERE extraction_status = 'ok'") == 40
    check_invariants(server)


def test_two_moderators_racing_give_exactly_one_decision(server):
    delegate = Session(server.url).login(DELEGATES[0])
    for i in range(8):
        assert _submit(delegate, f"Race {i}", f"Texte {i}".encode()).status_code == 302
    conn = _db(server)
    items = conn.execute("SELECT id, lock_version FROM versions ORDER BY id").fetchall()
    conn.close()
    a, b = Session(server.url).login(SEC), Session(server.url).login(SEC)
    tokens = {id(a): a.token("/secretariat/moderation"), id(b): b.token("/secretariat/moderation")}
    barrier = threading.Barrier(2)

    def decide(s, vid, lock, decision):
        barrier.wait()
        data = {"decision": decision, "lock": str(lock), "comment": "Décision concurrente",
                "csrf_token": tokens[id(s)]}
        return s.post(server.url + f"/secretariat/moderation/{vid}/decide", data=data,
                      allow_redirects=False, timeout=60).status_code

    for vid, lock in items:
        with ThreadPoolExecutor(max_workers=2) as pool:
            f1 = pool.submit(decide, a, vid, lock, "publish")
            f2 = pool.submit(decide, b, vid, lock, "reject")
            assert {f1.result(), f2.result()} <= {302}
    conn = _db(server)
    per_item = conn.execute("""SELECT contribution_id, COUNT(*) FROM contribution_events
                               WHERE action IN ('publish', 'reject') GROUP BY contribution_id""").fetchall()
    conn.close()
    assert len(per_item) == 8 and all(n == 1 for _, n in per_item)
    numbers = [r[0] for r in _db(server).execute(
        "SELECT number FROM contributions WHERE number IS NOT NULL ORDER BY number")]
    assert numbers == list(range(1, len(numbers) + 1))
    check_invariants(server)


def _slow_upload(server: LiveServer, session: Session, stop_after: int) -> socket.socket:
    """Send the headers and the start of a multipart upload, then stall."""
    token = session.token("/contributions/new")
    boundary = "----faultboundary"
    head = ""
    for name, value in [("csrf_token", token), ("meeting", "FAULT-1"), ("title", "Killed upload"),
                        ("action_lines", "C2"), ("language", "fr"), ("submit", "1")]:
        head += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
             "Content-Type: text/plain\r\n\r\n")
    total = len(head) + 5_000_000 + len(f"\r\n--{boundary}--\r\n")
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.sendall((f"POST /contributions/new HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n"
                  f"Cookie: {cookies}\r\nConnection: close\r\n\r\n").encode() + head.encode())
    sock.sendall(b"x" * stop_after)
    return sock


def test_worker_killed_during_an_upload(server):
    delegate = Session(server.url).login(DELEGATES[1])
    socks = [_slow_upload(server, delegate, 1_000_000) for _ in range(3)]
    time.sleep(1.0)
    old = server.kill_workers()
    for s in socks:
        s.close()
    server.wait_new_workers(old)
    assert _count(server, "SELECT COUNT(*) FROM contributions") == 0
    assert _count(server, "SELECT COUNT(*) FROM document_files") == 0
    # Nothing half-written is visible: only temporary names, swept later, may remain.
    stored = [p for p in (server.instance / "uploads").rglob("*") if p.is_file()] \
        if (server.instance / "uploads").exists() else []
    assert all(p.name.startswith(".tmp-") for p in stored)
    # The portal works as before.
    assert _submit(delegate, "After the crash", "Texte après la panne".encode()).status_code == 302
    check_invariants(server)


def test_workers_killed_during_publications(server):
    delegate = Session(server.url).login(DELEGATES[2])
    for i in range(30):
        assert _submit(delegate, f"Item {i}", f"Texte de l'item {i}".encode() * 50).status_code == 302
    conn = _db(server)
    ids = [str(r[0]) for r in conn.execute("SELECT id FROM versions ORDER BY id")]
    conn.close()
    sec = Session(server.url).login(SEC)
    token = sec.token("/secretariat/moderation")
    rng = random.Random(7)
    for _round in range(3):
        t = threading.Thread(target=lambda: _quiet_post(sec, server.url + "/secretariat/moderation/publish-selected",
                                                         {"selected": ids, "csrf_token": token}))
        t.start()
        time.sleep(rng.uniform(0.05, 0.4))
        old = server.kill_workers()
        t.join()
        server.wait_new_workers(old)
        check_invariants(server)
    # Whatever was not published yet can still be published, with numbers following on.
    r = sec.form("/secretariat/moderation/publish-selected", {"selected": ids}, page="/secretariat/moderation")
    assert r.status_code == 302
    assert _count(server, "SELECT COUNT(*) FROM contributions WHERE state = 'published'") == 30
    numbers = [r[0] for r in _db(server).execute("SELECT number FROM contributions ORDER BY number")]
    assert numbers == list(range(1, 31))
    check_invariants(server)


def test_worker_killed_during_an_index_update(server):
    """Publication committed, its index jobs being written by the worker when it dies: nothing is lost,
    the jobs replay in the new workers and every document becomes searchable."""
    delegate = Session(server.url).login(DELEGATES[3])
    n = 60
    words = " ".join(f"mot{i % 997}" for i in range(2500))
    for i in range(n):
        body = f"Coopération numérique à Genève, contribution {i}. {words}".encode()
        assert _submit(delegate, f"Index {i}", body).status_code == 302
    conn = _db(server)
    ids = [str(r[0]) for r in conn.execute("SELECT id FROM versions ORDER BY id")]
    sec = Session(server.url).login(SEC)
    token = sec.token("/secretariat/moderation")
    t = threading.Thread(target=lambda: _quiet_post(sec, server.url + "/secretariat/moderation/publish-selected",
                                                     {"selected": ids, "csrf_token": token}))
    t.start()
    # Wait for the commit, then kill while the jobs are still there: the drain is under way.
    killed_with_jobs = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        published = conn.execute("SELECT COUNT(*) FROM contributions WHERE state = 'published'").fetchone()[0]
        if published == n:
            jobs = conn.execute("SELECT COUNT(*) FROM index_jobs").fetchone()[0]
            old = server.kill_workers()
            killed_with_jobs = jobs
            break
        time.sleep(0.005)
    conn.close()
    t.join()
    assert killed_with_jobs is not None, "the publication never committed"
    assert killed_with_jobs > 0, "the drain finished before the kill: the test did not test anything"
    server.wait_new_workers(old)
    check_invariants(server)  # includes: the index catches up by itself
    page = Session(server.url).get("/search", params={"q": "coopération genève"}).text
    assert f"{n} documents" in page
    assert "<mark>" in page


def _quiet_post(session, url, data):
    try:
        session.post(url, data=data, allow_redirects=False, timeout=60)
    except Exception:  # noqa: BLE001, S110 - the worker is killed on purpose
        pass


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root): " + r.stderr.decode().strip())
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_during_an_upload(tmp_path, small_disk, databases):
    url = _database_for(databases, tmp_path)
    srv = LiveServer(tmp_path / "instance", extra_config=f'UPLOAD_FOLDER = "{small_disk}"\n', database_url=url)
    srv.start()
    try:
        _prepare(srv)
        delegate = Session(srv.url).login(DELEGATES[0])
        r = _submit(delegate, "Too big for the disk", b"x" * 3_000_000)
        assert r.status_code == 400
        assert "could not store the file" in r.text
        assert "Too big for the disk" in r.text  # the form comes back with what was typed
        assert _count(srv, "SELECT COUNT(*) FROM contributions") == 0
        assert [p for p in Path(small_disk).rglob("*") if p.is_file()] == []
        # A file that fits still goes in.
        assert _submit(delegate, "Fits", b"small file " * 100).status_code == 302
        check_invariants(srv)
    finally:
        srv.stop()
        if url:
            databases.drop(url)
