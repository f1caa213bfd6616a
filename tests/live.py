"""A real portal for tests that need one: gunicorn with several worker processes on
127.0.0.1, on its own instance folder, as `make run` serves it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST_CONFIG = """
SECRET_KEY = "live-test-secret"
PASSPORT_KEY = "kQ2f3nnlRB6Ff6_EX8o6MKKOl6ZAgYVHvbQ3G4pYy_Q="
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST = 1024
ARGON2_PARALLELISM = 1
LOGIN_MAX_FAILURES_PER_IP = 100000
UPLOADS_CONCURRENT_PER_ACCOUNT = 1000
UPLOADS_CONCURRENT_PER_ADDRESS = 1000
LOG_FORMAT = "text"
LOG_LEVEL = "WARNING"
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, instance: Path, *, workers: int = 2, threads: int = 4, extra_config: str = "",
                 database_url: str | None = None):
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True)
        (self.instance / "config.py").write_text(FAST_CONFIG + extra_config)
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, PORTAL_INSTANCE_PATH=str(self.instance))
        self.env.pop("FLASK_SECRET_KEY", None)
        if database_url:
            self.env["FLASK_SQLALCHEMY_DATABASE_URI"] = database_url
        self.proc: subprocess.Popen | None = None
        self.log = self.instance / "server.log"

    def flask(self, *args: str, input_: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        r = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=self.env,
                           capture_output=True, text=True, input=input_, timeout=300)
        if check and r.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {r.stderr[-2000:]}")
        return r

    def start(self) -> LiveServer:
        self.flask("init-db")
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "app:app"],
            cwd=ROOT, env=dict(self.env, HOST="127.0.0.1", PORT=str(self.port), WORKERS=str(self.workers),
                                THREADS=str(self.threads), LOG_LEVEL="warning"),
            stdout=logf, stderr=logf, start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:  # noqa: S310
                    if r.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer: {self.log.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    def kill_workers(self) -> list[int]:
        """SIGKILL every worker, as a crash would; the master starts new ones."""
        pids = self.worker_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return pids

    def wait_new_workers(self, old: list[int], timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = self.worker_pids()
            if len(pids) >= self.workers and not set(pids) & set(old):
                self.wait_ready()
                return
            time.sleep(0.1)
        raise RuntimeError("no new workers after the kill")

    def kill_all(self) -> None:
        """SIGKILL the master and its workers: the whole server dies at once."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill_all()
        self.proc = None


def copy_instance(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest
