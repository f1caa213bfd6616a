"""Load test: a multi-worker portal on 127.0.0.1 under browsing, searching, downloading and
uploading, with the secretariat publishing the uploads, at once (locust, in its own virtual environment so that its dependencies never touch
the portal's).

    .venv/bin/python -m benchmarks.load.run [--docs 2000] [--workers 4] [--users 20] [--seconds 60]

Steps: build a benchmark instance of N published contributions (benchmarks/make_instance.py),
give 300 of their files real stored bytes, add a secretariat account, 8 delegates and an open
meeting, rebuild the index, start gunicorn, then
  1. browse only: 40 clients without pause for 30 s: requests per second on browse pages;
  2. mixed: 20 clients (readers, searchers, downloaders, uploaders, one moderator publishing what is
     uploaded) for 60 s: p50/p95/p99 per kind;
and finally check that the index holds exactly the published documents (flask check-index)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LOAD_VENV = ROOT / "benchmarks" / ".venv-load"
LOCUST = "locust==2.47.0"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a throw-away instance


def ensure_locust() -> Path:
    exe = LOAD_VENV / "bin" / "locust"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)  # noqa: S603
        subprocess.run([str(LOAD_VENV / "bin" / "pip"), "install", "-q", LOCUST], check=True)  # noqa: S603
    return exe


def prepare(instance: Path, docs: int) -> dict:
    from benchmarks import make_instance

    make_instance.create(docs, out=instance)
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    sys.path.insert(0, str(ROOT))
    from datetime import date

    from sqlalchemy import select

    from benchmarks import queries
    from portal import create_app, storage
    from portal.auth.services import create_organisation, create_user
    from portal.extensions import db
    from portal.models import (
        Contribution,
        ContributionState,
        DocumentFile,
        Meeting,
        MeetingStatus,
        MeetingType,
        Membership,
        MembershipStatus,
        Role,
        StakeholderType,
    )

    app = create_app(instance_path=str(instance))
    with app.app_context():
        # Real bytes for 300 files, so that downloads serve something.
        files = []
        rows = db.session.scalars(select(DocumentFile).where(DocumentFile.published_at.is_not(None))
                                  .order_by(DocumentFile.id).limit(300)).all()
        for f in rows:
            stored = storage.save_bytes((f.text or "").encode())
            f.storage_key, f.sha256, f.size = stored.key, stored.sha256, stored.size
            files.append((f.version.contribution_id, f.id))
        create_user(email="moderator@load.example", name="Moderator", password=PASSWORD,
                    role=Role.SECRETARIAT, confirmed=True)
        org = create_organisation(name="Load Test Ministry", country="CH", stakeholder_type=StakeholderType.GOVERNMENT)
        from datetime import datetime, timezone

        org.verified_at = datetime.now(timezone.utc)
        delegates = []
        for i in range(8):
            u = create_user(email=f"delegate{i}@load.example", name=f"Delegate {i}", password=PASSWORD, confirmed=True)
            db.session.add(Membership(user=u, organisation=org, status=MembershipStatus.ACTIVE))
            delegates.append(u.email)
        db.session.add(Meeting(code="LOAD-1", title="Load meeting", type=MeetingType.FORUM, place="Geneva",
                               start_date=date(2030, 1, 1), end_date=date(2030, 1, 2), symbol_prefix="WSIS/LOAD-1",
                               status=MeetingStatus.OPEN))
        db.session.commit()
        doc_ids = list(db.session.scalars(select(Contribution.id).where(
            Contribution.state == ContributionState.PUBLISHED).limit(5000)))
        meetings = sorted({m for m in db.session.scalars(select(Meeting.code).join(
            Contribution, Contribution.meeting_id == Meeting.id))})
        db.engine.dispose()
    return {"documents": doc_ids, "files": files, "meetings": meetings, "delegates": delegates,
            "password": PASSWORD, "moderator": "moderator@load.example", "open_meeting": "LOAD-1", "queries": queries.generate(400, docs)}


def run_locust(exe: Path, url: str, targets: Path, out: Path, *, users: int, seconds: int, classes: list[str],
               no_wait: bool) -> dict:
    env = dict(os.environ, LOAD_TARGETS=str(targets), LOAD_NO_WAIT="1" if no_wait else "")
    subprocess.run(  # noqa: S603 - our own locust, our own arguments
        [str(exe), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(users),
                    "-r", str(users), "-t", f"{seconds}s", "--host", url, "--csv", str(out), "--only-summary",
                    "--loglevel", "WARNING", *classes], env=env, check=False)
    stats = {}
    with open(f"{out}_stats.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            stats[row["Name"]] = row
    return stats


def report(title: str, stats: dict, seconds: int) -> None:
    print(f"\n{title}")
    print(f"{'kind':10} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, row in stats.items():
        if name in ("Aggregated",) or name.startswith("login"):
            continue
        print(f"{name:10} {row['Request Count']:>9} {row['Failure Count']:>7} {float(row['Requests/s']):>8.1f} "
              f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
    agg = stats.get("Aggregated")
    if agg:
        print(f"{'all':10} {agg['Request Count']:>9} {agg['Failure Count']:>7} {float(agg['Requests/s']):>8.1f} "
              f"{agg['50%']:>7} {agg['95%']:>7} {agg['99%']:>7}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--threads", type=int, default=4, help="threads per worker process")
    ap.add_argument("--only", default="", help="user classes of the mixed phase, e.g. Reader,Searcher (default all)")
    ap.add_argument("--skip-browse", action="store_true", help="skip the browse-only phase")
    args = ap.parse_args()
    exe = ensure_locust()
    tmp = Path(tempfile.mkdtemp(prefix="portal-load-"))
    try:
        print(f"Preparing {args.docs} documents in {tmp} ...")
        targets = prepare(tmp / "instance", args.docs)
        targets_file = tmp / "targets.json"
        targets_file.write_text(json.dumps(targets))
        sys.path.insert(0, str(ROOT))
        from tests.live import LiveServer

        server = LiveServer(tmp / "instance", workers=args.workers, threads=args.threads,
                            extra_config='SECRET_KEY = "load-test"\n')
        server.flask("reindex")
        server.start()
        try:
            print(f"Portal: {server.url}, {args.workers} workers x {args.threads} threads, {os.cpu_count()} cores")
            if not args.skip_browse:
                browse = run_locust(exe, server.url, targets_file, tmp / "browse", users=40, seconds=30,
                                    classes=["Reader"], no_wait=True)
                report("1. Browse only, 40 clients without pause, 30 s", browse, 30)
            mixed = run_locust(exe, server.url, targets_file, tmp / "mixed", users=args.users,
                               seconds=args.seconds, classes=[c for c in args.only.split(",") if c],
                               no_wait=False)
            report(f"2. Mixed, {args.users} clients, {args.seconds} s", mixed, args.seconds)
            time.sleep(3)  # let the last uploads' jobs drain
            check = server.flask("check-index", check=False)
            print("\nAfterwards: " + check.stdout.strip().replace("\n", " "))
            log = server.log.read_text()
            print(f"'database is locked' in the server log: {log.count('database is locked')}; "
                  f"tracebacks: {log.count('Traceback')}")
            return 0 if check.returncode == 0 else 1
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    random.seed(1)
    sys.exit(main())
