"""The High-Level Track at the scale of a full Forum week: a programme of 60 sessions over five days, 20 of
them policy-statement sessions of 20 slots each (400 slots), every slot given a speaker, then published.
Printed: the public programme page, the whole programme as iCalendar, one session as iCalendar and the
secretariat's draft programme page (median and 95th percentile over --rounds requests each), with their sizes;
the public page and the whole iCalendar also without the cache of what a published version renders to (the first
request after a publication, in each worker).

    .venv/bin/python -m benchmarks.bench_programme [--rounds 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path

from sqlalchemy import insert, select

from portal import create_app
from portal.extensions import db
from portal.models import (
    Meeting,
    MeetingStatus,
    MeetingType,
    Organisation,
    ProgrammeSession,
    Role,
    SessionKind,
    SpeakerRank,
    StakeholderType,
    Statement,
    StatementState,
)

PASSWORD = "benchmark password for the portal"  # noqa: S105 - a throw-away instance
KINDS = [SessionKind.OPENING, SessionKind.DIALOGUE, SessionKind.ROUND_TABLE, SessionKind.WORKSHOP, SessionKind.OTHER]


def populate(by) -> tuple[int, int]:
    from portal.programme import services

    start = date(2030, 3, 4)
    m = Meeting(code="FORUM-BIG", title="WSIS Forum (benchmark)", type=MeetingType.FORUM, place="Geneva",
                start_date=start, end_date=start + timedelta(days=4), symbol_prefix="WSIS/FORUM-BIG",
                status=MeetingStatus.OPEN, deadline_tz="Europe/Zurich")
    db.session.add(m)
    db.session.flush()
    now = datetime.now(timezone.utc)
    db.session.execute(insert(Organisation), [
        {"id": i + 1, "name": f"Ministry {i + 1:03d}", "name_key": f"ministry {i + 1:03d}", "country": "CH",
         "stakeholder_type": StakeholderType.GOVERNMENT, "created_at": now, "verified_at": now} for i in range(400)])
    ranks = list(SpeakerRank)
    db.session.execute(insert(Statement), [
        {"meeting_id": m.id, "organisation_id": i + 1, "state": StatementState.ACCEPTED, "accepted_at": now,
         "speaker_name": f"Hon. Speaker {i + 1}", "speaker_title": "Minister of Communications and Digital Economy",
         "speaker_rank": ranks[i % len(ranks)], "created_by_id": by.id} for i in range(400)])
    # Per day: 4 policy-statement sessions (20 slots of 5 minutes, in two rooms) and 8 other sessions.
    for d in range(5):
        day = start + timedelta(days=d)
        for k in range(4):
            hour = 9 + (k // 2) * 5
            services.save_session(m, None, services.SessionData(
                f"Policy statements ({d * 4 + k + 1})", SessionKind.POLICY_STATEMENTS, day, clock(hour),
                clock(hour + 2), room=f"Room {'AB'[k % 2]}", chairs="Chair of the session", slots=20,
                slot_minutes=5, description="High-level policy statements."), by)
        for k in range(8):
            hour = 9 + k
            services.save_session(m, None, services.SessionData(
                f"Session {d}-{k}", KINDS[k % len(KINDS)], day, clock(hour), clock(hour, 45), room="Room C",
                online=k % 2 == 0, online_link="https://meet.example.org/x" if k % 2 == 0 else None,
                chairs="Moderator", description="A thematic session of the Forum."), by)
    placed = services.apply_proposal(m, by)
    services.publish(m, by)
    db.session.commit()
    sessions = db.session.scalars(select(ProgrammeSession).where(ProgrammeSession.meeting_id == m.id)).all()
    return len(sessions), placed


def timed(client, path: str, rounds: int) -> dict:
    times, size = [], 0
    for _ in range(rounds):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
        size = len(r.data)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "bytes": size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "PASSPORT_KEY": "kQ2f3nnlRB6Ff6_EX8o6MKKOl6ZAgYVHvbQ3G4pYy_Q=",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/portal.db", "SEARCH_ENABLED": False,
                          "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
                          "LOG_LEVEL": "WARNING", "WTF_CSRF_ENABLED": False, "SERVER_NAME": "portal.example"},
                         instance_path=str(Path(tmp) / "instance"))
        with app.test_request_context():
            from flask_migrate import upgrade

            from portal.auth.services import create_user

            upgrade()
            sec = create_user(email="sec@bench.example", name="Sec", password=PASSWORD, role=Role.SECRETARIAT,
                              confirmed=True)
            db.session.flush()
            sessions, placed = populate(sec)
            uid = db.session.scalars(select(ProgrammeSession.uid)).first()
        public = app.test_client()
        out = {"sessions": sessions, "slots_with_speakers": placed,
               "public_programme_page": timed(public, "/meetings/FORUM-BIG/programme", args.rounds),
               "icalendar_whole_programme": timed(public, "/meetings/FORUM-BIG/programme.ics", args.rounds),
               "icalendar_one_session": timed(public, f"/meetings/FORUM-BIG/programme/{uid}.ics", args.rounds)}
        # Without the per-version cache (programme/rendered.py): the first request after a publication.
        app.config["PROGRAMME_CACHE_ENTRIES"] = 0
        out["public_programme_page_uncached"] = timed(public, "/meetings/FORUM-BIG/programme", args.rounds)
        out["icalendar_whole_programme_uncached"] = timed(public, "/meetings/FORUM-BIG/programme.ics", args.rounds)
        client = app.test_client()
        client.post("/login", data={"email": "sec@bench.example", "password": PASSWORD})
        out["secretariat_draft_page"] = timed(client, "/secretariat/meetings/FORUM-BIG/programme", args.rounds)
        print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
