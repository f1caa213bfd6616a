"""The search page over HTTP, against the portal as `make run` serves it (gunicorn, 2 worker processes
x 4 threads, SQLite), started by this script on a free port on a COPY of a benchmark instance folder
(with its index); and the publish-to-searchable latency: a stakeholder submits a contribution with
a word found nowhere else, the secretariat publishes it, and a third client polls /search for that
word until the document is listed.

    .venv/bin/python -m benchmarks.bench_http benchmarks/data/instance-20000 [--queries 300] [--publish 10]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import requests

from benchmarks import queries as Qs
from benchmarks.bench_query import summary

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "benchmark password for the portal"  # noqa: S105 - a throw-away instance


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    def __init__(self, instance: Path, workers: int = 2, threads: int = 4):
        self.instance = instance
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, PORTAL_INSTANCE_PATH=str(instance), HOST="127.0.0.1", PORT=str(self.port),
                        WORKERS=str(workers), THREADS=str(threads), LOG_LEVEL="warning")
        self.env.pop("FLASK_SECRET_KEY", None)
        self.proc: subprocess.Popen | None = None

    def flask(self, *args: str, stdin: str | None = None) -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=self.env,  # noqa: S603
                       input=stdin, text=True, check=True, capture_output=True, timeout=600)

    def start(self) -> None:
        log = open(self.instance / "server.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:app"],
                                     cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:  # noqa: S310 - our own server
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the portal did not start; see server.log")

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


class Client(requests.Session):
    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def form(self, path: str, data: dict, page: str, files=None):
        token = CSRF.search(self.get(self.base + page, timeout=60).text).group(1)
        r = self.post(self.base + path, data={**data, "csrf_token": token}, files=files, allow_redirects=False,
                      timeout=120)
        if r.status_code != 302:
            raise RuntimeError(f"{path}: {r.status_code} {r.text[:500]}")
        return r

    def login(self, email: str) -> Client:
        self.form("/login", {"email": email, "password": PASSWORD}, "/login")
        return self


def search_latency(url: str, batch: list[dict], clients: int) -> dict:
    ms: list[float] = []
    sizes: list[int] = []
    lock = threading.Lock()
    work = list(batch)

    def run():
        s = requests.Session()
        while True:
            with lock:
                if not work:
                    return
                args = work.pop()
            t = time.perf_counter()
            r = s.get(url + "/search", params=args, timeout=60)
            elapsed = (time.perf_counter() - t) * 1000
            assert r.status_code == 200, r.status_code
            with lock:
                ms.append(elapsed)
                sizes.append(len(r.content))
    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = summary(ms)
    out["requests_per_second"] = round(len(ms) / (time.perf_counter() - started), 1)
    out["mean_page_kb"] = round(statistics.mean(sizes) / 1024, 1)
    return out


def publish_latency(portal: Portal, rounds: int) -> dict:
    """Seconds from the moment the publish request returns until /search lists the document."""
    portal.flask("create-user", "--email", "sec@bench.example", "--name", "Bench Secretariat",
                 "--role", "secretariat", "--password-stdin", stdin=PASSWORD + "\n")
    portal.flask("create-user", "--email", "author@bench.example", "--name", "Bench Author",
                 "--organisation", "Benchmark Ministry", "--country", "CH", "--password-stdin", stdin=PASSWORD + "\n")
    author = Client(portal.url).login("author@bench.example")
    sec = Client(portal.url).login("sec@bench.example")
    reader = requests.Session()
    after_return, after_request = [], []
    for i in range(rounds):
        word = f"benchword{i}x{os.getpid()}"
        author.form("/contributions/new", {"meeting": "FORUM-2021", "title": f"Benchmark contribution {i}",
                                           "summary": "", "action_lines": ["C4"], "language": "en", "comments_on": "",
                                           "submit": "1"}, "/contributions/new",
                    files={"file": ("bench.txt", f"A contribution about {word} and digital inclusion.".encode())})
        html = sec.get(portal.url + "/secretariat/moderation", params={"q": word}, timeout=60).text
        vid = re.search(r'href="/secretariat/moderation/(\d+)"', html).group(1)
        item = sec.get(portal.url + f"/secretariat/moderation/{vid}", timeout=60).text
        lock = re.search(r'name="lock"[^>]*value="(\d+)"', item).group(1)
        t0 = time.perf_counter()
        sec.form(f"/secretariat/moderation/{vid}/decide", {"decision": "publish", "lock": lock},
                 f"/secretariat/moderation/{vid}")
        t1 = time.perf_counter()
        while True:
            r = reader.get(portal.url + "/search", params={"q": word}, timeout=60)
            if "Benchmark contribution" in r.text:
                break
            if time.perf_counter() - t1 > 30:
                raise RuntimeError("not searchable after 30 s")
            time.sleep(0.02)
        t2 = time.perf_counter()
        after_request.append(t2 - t0)
        after_return.append(t2 - t1)
        if os.environ.get("BENCH_VERBOSE"):
            print(f"round {i}: publish request {t1 - t0:.3f} s, then searchable after {t2 - t1:.3f} s",
                  file=sys.stderr)
    return {"rounds": rounds, "max_s_from_publish_request": round(max(after_request), 3),
            "p50_s_from_publish_request": round(statistics.median(after_request), 3),
            "max_s_after_publish_response": round(max(after_return), 3)}


def run(instance: Path, n_queries: int, n_docs: int, publish_rounds: int, page_scale: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    copy = work / "instance"
    shutil.copytree(instance, copy, symlinks=True)
    with sqlite3.connect(copy / "portal.db") as conn:  # a meeting open for contributions, without deadline
        conn.execute("UPDATE meetings SET status = 'open', deadline_at = NULL WHERE code = 'FORUM-2021'")
    portal = Portal(copy)
    out: dict = {"instance": instance.name, "server": "gunicorn 2 workers x 4 threads"}
    try:
        portal.start()
        qs = Qs.generate(n_queries, n_docs, page_scale=page_scale)
        warm = Qs.generate(60, n_docs, seed=99, page_scale=page_scale)
        search_latency(portal.url, warm, 4)  # each worker opens the index
        out["two_facets_1_client"] = search_latency(portal.url, qs, 1)
        out["two_facets_1_client_again"] = search_latency(portal.url, qs, 1)
        out["two_facets_4_clients"] = search_latency(portal.url, qs, 4)
        if publish_rounds:
            out["publish_to_searchable"] = publish_latency(portal, publish_rounds)
    except BaseException:
        log = copy / "server.log"
        lines = log.read_text().splitlines() if log.exists() else []
        print("\n".join(x for x in lines if "GET /search" not in x)[-6000:], file=sys.stderr)
        raise
    finally:
        portal.stop()
        shutil.rmtree(work, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance", type=Path)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--publish", type=int, default=10)
    ap.add_argument("--docs", type=int, default=None)
    ap.add_argument("--page-scale", type=float, default=1.0)
    args = ap.parse_args()
    n_docs = args.docs or int(args.instance.name.split("-")[1])
    print(json.dumps(run(args.instance.resolve(), args.queries, n_docs, args.publish, args.page_scale), indent=1))


if __name__ == "__main__":
    main()
