"""Hardening tried against a real portal (gunicorn, several worker processes, SQLite or PostgreSQL):
parallel wrong passwords from several addresses never get more password checks than the budget, and
a burst of large uploads from one account is limited to its concurrent uploads while the rest of the
portal answers."""

from __future__ import annotations

import io
import os
import threading
import time
import urllib.request

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.browser import Session
from tests.conftest import PASSWORD
from tests.live import LiveServer

pytestmark = pytest.mark.slow

PER_ACCOUNT = 6


@pytest.fixture
def server(tmp_path, databases):
    url = databases.new(tmp_path, empty=True) if os.environ.get("TEST_DATABASE_URL") else None
    srv = LiveServer(tmp_path / "instance", workers=2, threads=8, database_url=url, extra_config=(
        "PROXY_COUNT = 1\n"  # the tests speak as a proxy would, naming the client's address
        f"LOGIN_MAX_FAILURES_PER_ACCOUNT = {PER_ACCOUNT}\n"
        "LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT = 4\n"
        "UPLOADS_CONCURRENT_PER_ACCOUNT = 2\nUPLOADS_CONCURRENT_PER_ADDRESS = 2\n"))
    srv.start()
    yield srv
    srv.stop()
    if url:
        databases.drop(url)


def _sql(server: LiveServer, sql: str, **params):
    url = server.env.get("FLASK_SQLALCHEMY_DATABASE_URI") or f"sqlite:///{server.instance / 'portal.db'}"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).fetchall()
    finally:
        engine.dispose()


def test_parallel_wrong_passwords_from_many_addresses_never_pass_the_budget(server):
    server.flask("create-user", "--email", "target@gov.example", "--name", "Target", "--password-stdin",
                 input_=PASSWORD + "\n")
    addresses = [f"192.0.2.{i}" for i in range(8)]
    attempts = [(a, n) for a in addresses for n in range(5)]  # 40 attempts, 5 per address
    barrier = threading.Barrier(len(attempts))
    codes: list[int] = []
    lock = threading.Lock()

    def attack(address: str, n: int) -> None:
        s = Session(server.url)
        s.headers["X-Forwarded-For"] = address
        token = s.token("/login")
        barrier.wait(timeout=120)
        r = s.form("/login", {"email": "target@gov.example", "password": f"wrong guess {address} {n}",
                              "csrf_token": token})
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=attack, args=a) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(codes) == 40 and set(codes) <= {200, 429}, codes
    checks = _sql(server, "SELECT COUNT(*) FROM audit_log WHERE action = 'login.failure'")[0][0]
    throttled = _sql(server, "SELECT COUNT(*) FROM audit_log WHERE action = 'login.throttled'")[0][0]
    assert checks == PER_ACCOUNT and codes.count(200) == PER_ACCOUNT  # exactly the budget, never more
    assert throttled == 40 - PER_ACCOUNT and codes.count(429) == 40 - PER_ACCOUNT


def _pdf(size: int) -> bytes:
    """A one-page PDF padded to about `size` bytes with a comment after its end."""
    from tests.documents import build_pdf, text_page

    body = build_pdf(text_page("Contribution au Forum"))
    return body + b"\n%" + b"0" * max(0, size - len(body) - 2) + b"\n"


def test_a_burst_of_large_uploads_does_not_starve_the_portal(server):
    server.flask("create-user", "--email", "sec@itu.example", "--name", "Sec", "--role", "secretariat",
                 "--password-stdin", input_=PASSWORD + "\n")
    server.flask("create-user", "--email", "bulk@gov.example", "--name", "Bulk", "--organisation", "Ministry",
                 "--country", "CH", "--password-stdin", input_=PASSWORD + "\n")
    Session(server.url).login("sec@itu.example").form(
        "/meetings/new", {"code": "BURST-1", "title": "Burst", "type": "forum", "place": "Geneva",
                          "start_date": "2030-01-10", "end_date": "2030-01-12", "deadline_tz": "Europe/Zurich",
                          "accept_late": "y", "symbol_prefix": "WSIS/BURST-1", "status": "open"},
        page="/meetings/new")
    uploader = Session(server.url).login("bulk@gov.example")
    uploader.headers["X-Forwarded-For"] = "198.51.100.1"
    token = uploader.token("/contributions/new")
    pdf = _pdf(15 * 1024 * 1024)
    codes: list[int] = []

    def upload(i: int) -> None:
        r = uploader.post(server.url + "/contributions/new", allow_redirects=False, timeout=300, data={
            "csrf_token": token, "meeting": "BURST-1", "title": f"Large {i}", "summary": "",
            "action_lines": ["C2"], "language": "fr", "save": "1"},
            files={"file": (f"large-{i}.pdf", io.BytesIO(pdf), "application/pdf")})
        codes.append(r.status_code)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(10)]
    latencies: list[float] = []
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        for path in ("/healthz", "/meetings/"):
            started = time.perf_counter()
            urllib.request.urlopen(server.url + path, timeout=30).read()  # noqa: S310
            latencies.append(time.perf_counter() - started)
        time.sleep(0.05)
    for t in threads:
        t.join(timeout=300)
    assert codes.count(302) >= 2 and codes.count(429) >= 1, codes  # at most 2 at once: the rest refused
    assert set(codes) <= {302, 429}, codes
    # Every other request was answered meanwhile (how fast: benchmarks/bench_upload_burst.py).
    assert latencies, "the burst ended before any other request"
