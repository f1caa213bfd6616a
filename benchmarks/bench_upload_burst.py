"""A burst of large uploads from one account, and how the rest of the portal answers meanwhile.

One logged-in stakeholder sends ten 15 MB one-page PDFs at once (as saved drafts) to the portal as
`make run` serves it (gunicorn, 2 worker processes x 4 threads, SQLite), started by this script on a
free port with a fresh instance folder; meanwhile another client asks for /healthz and /meetings/
one after the other. Printed: each upload's status, the latency of the other requests during the
burst (median, 95th percentile, largest), and the burst's duration. With --compare DIR, the same is
measured for the checkout in DIR (its own .venv) in the same run, alternating, so that the two can be
read side by side (e.g. the version before the upload limits, as a git worktree).

    .venv/bin/python -m benchmarks.bench_upload_burst [--rounds 3] [--compare /path/to/other/checkout]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import requests

from tests.documents import build_pdf, text_page

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "benchmark password for the portal"  # noqa: S105 - a throw-away instance
CONFIG = 'SECRET_KEY = "burst-benchmark"\nLOG_LEVEL = "WARNING"\nARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 1024\n' \
         'ARGON2_PARALLELISM = 1\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    def __init__(self, checkout: Path, instance: Path):
        self.root = checkout
        self.python = str(checkout / ".venv" / "bin" / "python")
        instance.mkdir(parents=True)
        (instance / "config.py").write_text(CONFIG)
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, PORTAL_INSTANCE_PATH=str(instance), HOST="127.0.0.1", PORT=str(self.port),
                        WORKERS="2", THREADS="4", LOG_LEVEL="warning")
        self.env.pop("FLASK_SECRET_KEY", None)
        self.proc: subprocess.Popen | None = None

    def flask(self, *args: str, stdin: str | None = None) -> None:
        subprocess.run([self.python, "-m", "flask", "--app", "app", *args], cwd=self.root, env=self.env,  # noqa: S603
                       input=stdin, text=True, check=True, capture_output=True, timeout=600)

    def start(self) -> Portal:
        self.flask("init-db")
        self.flask("create-user", "--email", "sec@bench.example", "--name", "Sec", "--role", "secretariat",
                   "--password-stdin", stdin=PASSWORD + "\n")
        self.flask("create-user", "--email", "bulk@bench.example", "--name", "Bulk", "--organisation", "Ministry",
                   "--country", "CH", "--password-stdin", stdin=PASSWORD + "\n")
        log = open(self.instance / "server.log", "ab")
        self.proc = subprocess.Popen([self.python, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:app"],  # noqa: S603
                                     cwd=self.root, env=self.env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        sec = self.session("sec@bench.example")
        sec.post(self.url + "/meetings/new", allow_redirects=False, data={
            "csrf_token": token(sec, self.url + "/meetings/new"), "code": "BURST-1", "title": "Burst",
            "type": "forum", "place": "Geneva", "start_date": "2030-01-10", "end_date": "2030-01-12",
            "deadline_tz": "Europe/Zurich", "accept_late": "y", "symbol_prefix": "WSIS/BURST-1", "status": "open"})
        return self

    def session(self, email: str) -> requests.Session:
        s = requests.Session()
        r = s.post(self.url + "/login", data={"csrf_token": token(s, self.url + "/login"), "email": email,
                                              "password": PASSWORD}, allow_redirects=False)
        assert r.status_code == 302, r.text[:300]
        return s

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


def token(s: requests.Session, url: str) -> str:
    return CSRF.search(s.get(url, timeout=60).text).group(1)


def pdf(size: int) -> bytes:
    """A valid one-page PDF padded to `size` bytes with a comment after its end."""
    body = build_pdf(text_page("Contribution au Forum SMSI"))
    return body + b"%" + b"0" * (size - len(body) - 2) + b"\n"


def burst(portal: Portal, files: int, size: int) -> dict:
    uploader = portal.session("bulk@bench.example")
    csrf = token(uploader, portal.url + "/contributions/new")
    data = pdf(size)
    codes: list[int] = []

    def upload(i: int) -> None:
        try:
            r = uploader.post(portal.url + "/contributions/new", allow_redirects=False, timeout=600, data={
                "csrf_token": csrf, "meeting": "BURST-1", "title": f"Large {i}", "summary": "",
                "action_lines": ["C2"], "language": "fr", "save": "1"},
                files={"file": (f"large-{i}.pdf", io.BytesIO(data), "application/pdf")})
            codes.append(r.status_code)
        except requests.RequestException as exc:
            codes.append(exc.__class__.__name__)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(files)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    latencies = {"/healthz": [], "/meetings/": []}
    while any(t.is_alive() for t in threads):
        for path, out in latencies.items():
            t0 = time.perf_counter()
            urllib.request.urlopen(portal.url + path, timeout=120).read()  # noqa: S310
            out.append((time.perf_counter() - t0) * 1000)
    for t in threads:
        t.join()
    duration = time.perf_counter() - started

    def stats(xs):
        xs = sorted(xs)
        return {"n": len(xs), "p50_ms": round(statistics.median(xs), 1),
                "p95_ms": round(xs[min(len(xs) - 1, int(len(xs) * 0.95))], 1), "max_ms": round(xs[-1], 1)} \
            if xs else {"n": 0}

    return {"statuses": {str(c): codes.count(c) for c in sorted(set(codes), key=str)},
            "burst_seconds": round(duration, 2), **{p: stats(v) for p, v in latencies.items()}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--mb", type=int, default=15)
    ap.add_argument("--compare", type=Path, help="another checkout of the portal (with its .venv) to measure alongside")
    args = ap.parse_args()
    checkouts = {"this": ROOT}
    if args.compare:
        checkouts["compare"] = args.compare.resolve()
    results: dict[str, list] = {k: [] for k in checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(args.rounds):
            for name, checkout in checkouts.items():
                portal = Portal(checkout, Path(tmp) / f"{name}-{rnd}").start()
                try:
                    results[name].append(burst(portal, args.files, args.mb * 1024 * 1024))
                finally:
                    portal.stop()
                print(name, rnd, json.dumps(results[name][-1]), file=sys.stderr)
    print(json.dumps({"files": args.files, "mb": args.mb, "checkouts": {k: str(v) for k, v in checkouts.items()},
                      "results": results}, indent=1))


if __name__ == "__main__":
    main()
