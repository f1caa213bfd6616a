"""Load on a running portal: browsing, searching, downloading and uploading together.

Run by benchmarks/load/run.py, which prepares the portal and writes targets.json (documents,
files, meetings, accounts). Request names group the statistics: browse, search, download,
upload."""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, constant, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"], encoding="utf-8").read())
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NO_WAIT = bool(os.environ.get("LOAD_NO_WAIT"))
WORDS = sorted({w for q in TARGETS["queries"] for w in q["q"].split()})


def pause(low, high):
    return constant(0) if NO_WAIT else between(low, high)


def log_in(client, email: str) -> None:
    token = CSRF.search(client.get("/login", name="login").text).group(1)
    client.post("/login", data={"email": email, "password": TARGETS["password"], "csrf_token": token},
                name="login")


class Reader(HttpUser):
    """Browses meetings, action lines and documents."""

    weight = 6
    wait_time = pause(0.05, 0.2)

    @task(3)
    def document(self):
        self.client.get(f"/documents/{random.choice(TARGETS['documents'])}", name="browse")

    @task(2)
    def meeting(self):
        self.client.get(f"/meetings/{random.choice(TARGETS['meetings'])}", name="browse")

    @task(1)
    def home(self):
        self.client.get("/", name="browse")

    @task(1)
    def action_line(self):
        self.client.get(f"/action-lines/C{random.randint(1, 11)}", name="browse")

    @task(1)
    def meetings(self):
        self.client.get("/meetings/", name="browse")


class Searcher(HttpUser):
    """Searches with words and facets."""

    weight = 3
    wait_time = pause(0.1, 0.4)

    @task
    def search(self):
        """One or two words and two facets taken from a real document (benchmarks/queries.py)."""
        self.client.get("/search", params=random.choice(TARGETS["queries"]), name="search")


class Downloader(HttpUser):
    weight = 1
    wait_time = pause(0.2, 0.6)

    @task
    def download(self):
        doc, file_id = random.choice(TARGETS["files"])
        self.client.get(f"/documents/{doc}/files/{file_id}", name="download")


class Uploader(HttpUser):
    """A delegate who submits contributions."""

    weight = 1
    wait_time = pause(0.5, 1.5)

    def on_start(self):
        log_in(self.client, random.choice(TARGETS["delegates"]))

    @task
    def upload(self):
        page = self.client.get("/contributions/new", name="upload").text
        m = CSRF.search(page)
        if not m:
            return
        body = (" ".join(random.choices(WORDS, k=1500))).encode()
        data = {"csrf_token": m.group(1), "meeting": TARGETS["open_meeting"], "title": "Load test contribution",
                "summary": "", "action_lines": ["C2"], "language": "fr", "submit": "1"}
        with self.client.post("/contributions/new", data=data, files={"file": ("load.txt", body, "text/plain")},
                              name="upload", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"upload answered {r.status_code}")


SELECTED = re.compile(r'name="selected" value="(\d+)"')


class Moderator(HttpUser):
    """The secretariat publishes what the delegates upload, so the index changes under load."""

    fixed_count = 1
    wait_time = pause(2.0, 3.0)

    def on_start(self):
        log_in(self.client, TARGETS["moderator"])

    @task
    def publish(self):
        page = self.client.get("/secretariat/moderation?meeting=LOAD-1", name="moderate").text
        ids = SELECTED.findall(page)
        m = CSRF.search(page)
        if not ids or not m:
            return
        with self.client.post("/secretariat/moderation/publish-selected",
                              data={"selected": ids, "csrf_token": m.group(1)}, name="publish",
                              allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"publish answered {r.status_code}")
