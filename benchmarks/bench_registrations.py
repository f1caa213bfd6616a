"""Delegation registration at the scale of a large Summit: 2,000 delegations of 1-12 participants each
for one meeting (about 13,000 participants), written straight into a fresh SQLite instance. Printed:
the secretariat's summary page (median and 95th percentile over --rounds requests), and the CSV and
XLSX exports of every participant (time, size, and the largest Python memory in use while the CSV
streams, measured with tracemalloc: flat if the export streams).

    .venv/bin/python -m benchmarks.bench_registrations [--delegations 2000] [--rounds 50]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import insert

from portal import create_app
from portal.extensions import db
from portal.models import (
    Delegation,
    DelegationState,
    Gender,
    Meeting,
    MeetingStatus,
    MeetingType,
    Organisation,
    Participant,
    Participation,
    RegistrationStatus,
    Role,
    StakeholderType,
)

PASSWORD = "benchmark password for the portal"  # noqa: S105 - a throw-away instance


def populate(n: int, seed: int = 2027) -> int:
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    m = Meeting(code="BIG-1", title="A large Summit", type=MeetingType.SUMMIT, place="Geneva", start_date=date(2030, 1, 10),
                end_date=date(2030, 1, 12), symbol_prefix="WSIS/BIG-1", status=MeetingStatus.OPEN,
                registration=RegistrationStatus.OPEN)
    db.session.add(m)
    db.session.flush()
    kinds = list(StakeholderType)
    countries = ["CH", "SN", "FR", "BR", "CN", "IN", "EG", "RU", "US", "JP", "KE", "AR"]
    orgs = [{"id": i + 1, "name": f"Organisation {i + 1:04d}", "name_key": f"organisation {i + 1:04d}",
             "country": rng.choice(countries), "stakeholder_type": rng.choice(kinds), "created_at": now,
             "verified_at": now} for i in range(n)]
    db.session.execute(insert(Organisation), orgs)
    states = [DelegationState.CONFIRMED] * 6 + [DelegationState.SUBMITTED] * 3 + [DelegationState.RETURNED]
    delegations = [{"id": i + 1, "meeting_id": m.id, "organisation_id": i + 1, "state": rng.choice(states),
                    "late": rng.random() < 0.1, "changed": False, "lock_version": 1, "created_at": now,
                    "updated_at": now, "submitted_at": now} for i in range(n)]
    db.session.execute(insert(Delegation), delegations)
    people, pid = [], 0
    for d in delegations:
        for k in range(rng.randint(1, 12)):
            pid += 1
            people.append({"id": pid, "delegation_id": d["id"], "meeting_id": m.id, "position": k,
                           "full_name": f"Participant {pid}", "function": rng.choice(["Minister", "Adviser", "Delegate"]),
                           "email": f"p{pid}@example.org", "email_key": f"p{pid}@example.org",
                           "gender": rng.choice(list(Gender)), "participation": rng.choice(list(Participation)),
                           "is_head": k == 0, "needs_visa": False, "created_at": now})
    db.session.execute(insert(Participant), people)
    db.session.commit()
    return pid


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--delegations", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "PASSPORT_KEY": "kQ2f3nnlRB6Ff6_EX8o6MKKOl6ZAgYVHvbQ3G4pYy_Q=",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/portal.db", "SEARCH_ENABLED": False,
                          "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
                          "LOG_LEVEL": "WARNING", "WTF_CSRF_ENABLED": False},
                         instance_path=str(Path(tmp) / "instance"))
        with app.app_context():
            from flask_migrate import upgrade

            from portal.auth.services import create_user

            upgrade()
            participants = populate(args.delegations)
            create_user(email="sec@bench.example", name="Sec", password=PASSWORD, role=Role.SECRETARIAT,
                        confirmed=True)
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": "sec@bench.example", "password": PASSWORD})

        times = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            r = client.get("/secretariat/meetings/BIG-1/registrations/summary")
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        times.sort()

        def consume(path: str) -> int:
            size = 0
            with client.get(path, buffered=False) as r:
                for chunk in r.response:
                    size += len(chunk)
            return size

        def export(path: str) -> dict:
            """Timed without tracemalloc (which slows Python down several times), then measured with it."""
            t = time.perf_counter()
            size = consume(path)
            seconds = time.perf_counter() - t
            tracemalloc.start()
            consume(path)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return {"seconds": round(seconds, 2), "bytes": size, "peak_python_memory_mb": round(peak / 2**20, 1)}

        out = {
            "delegations": args.delegations, "participants": participants,
            "summary_page_ms": {"p50": round(statistics.median(times), 1),
                                "p95": round(times[int(len(times) * 0.95) - 1], 1)},
            "csv_export_all_registered": export("/secretariat/meetings/BIG-1/participants.csv?states=registered"),
            "xlsx_export_all_registered": export("/secretariat/meetings/BIG-1/participants.xlsx?states=registered"),
        }
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
