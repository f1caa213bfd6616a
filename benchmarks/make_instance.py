"""Create a benchmark instance folder: a migrated SQLite database with the reference meetings,
900 organisations and N published contributions of the seeded corpus (plus 2% still awaiting
moderation, which must never be indexed). The search index is not built (see bench_reindex.py).

    .venv/bin/python -m benchmarks.make_instance 20000                 # benchmarks/data/instance-20000
    .venv/bin/python -m benchmarks.make_instance 100000 --page-scale 0.25
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def instance_path(n: int, page_scale: float = 1.0) -> Path:
    suffix = "" if page_scale == 1.0 else f"-scale{page_scale:g}"
    return DATA / f"instance-{n}{suffix}"


def create(n: int, *, page_scale: float = 1.0, out: Path | None = None, force: bool = False) -> Path:
    out = out or instance_path(n, page_scale)
    if out.exists():
        if not force:
            print(f"{out} exists (use --force to rebuild it)")
            return out
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "config.py").write_text('SECRET_KEY = "benchmark-instance-not-secret"\nLOG_LEVEL = "WARNING"\n'
                                   'ARGON2_TIME_COST = 1\nARGON2_MEMORY_COST = 1024\nARGON2_PARALLELISM = 1\n')
    os.environ["PORTAL_INSTANCE_PATH"] = str(out)

    from flask_migrate import upgrade
    from sqlalchemy import insert, select, update

    from benchmarks import corpus
    from portal import create_app
    from portal.extensions import db
    from portal.models import (
        ActionLine,
        Contribution,
        DocumentFile,
        Meeting,
        Organisation,
        SymbolCounter,
        Version,
    )
    from portal.models.contribution import version_action_lines
    from portal.reference import load_reference_data

    app = create_app(instance_path=str(out))
    started = time.monotonic()
    with app.app_context():
        upgrade()
        load_reference_data()
        db.session.commit()
        meetings = {m.code: m.id for m in db.session.scalars(select(Meeting))}
        lines = {al.code: al.id for al in db.session.scalars(select(ActionLine))}
        orgs = corpus.organisations()
        now = datetime.now(timezone.utc)
        db.session.execute(insert(Organisation), [
            {"id": i + 1, "name": o["name"], "name_key": o["name"].casefold(), "country": o["country"],
             "stakeholder_type": o["stakeholder_type"], "verified_at": now, "created_at": now}
            for i, o in enumerate(orgs)])
        db.session.commit()

        counters: dict[tuple[int, str], int] = {}
        file_id = 0
        pending = max(1, n // 50)
        total = n + pending
        batch = 500
        for start in range(0, total, batch):
            cs, vs, fs, als = [], [], [], []
            for i in range(start, min(total, start + batch)):
                d = corpus.document(i, page_scale=page_scale, n_orgs=len(orgs))
                published = i < n
                mid = meetings[d.meeting]
                number = None
                if published:
                    number = counters[(mid, d.series)] = counters.get((mid, d.series), 0) + 1
                when = d.published_at
                cs.append({"id": i + 1, "meeting_id": mid, "organisation_id": d.organisation + 1 if d.organisation is not None else None,
                           "series": d.series, "number": number, "original_language": d.language,
                           "state": "published" if published else "submitted", "created_at": when,
                           "updated_at": when, "first_published_at": when if published else None})
                vs.append({"id": i + 1, "contribution_id": i + 1, "revision": 0 if published else None,
                           "state": "published" if published else "submitted", "title": d.title[:500],
                           "summary": d.summary, "late": False, "created_at": when, "updated_at": when,
                           "submitted_at": when, "published_at": when if published else None, "lock_version": 0})
                als.extend({"version_id": i + 1, "action_line_id": lines[code]} for code in d.action_lines)
                for lang, text in d.texts.items():
                    file_id += 1
                    fs.append({"id": file_id, "version_id": i + 1, "language": lang,
                               "storage_key": hashlib.sha256(f"bench-{file_id}".encode()).hexdigest(),
                               "sha256": "0" * 64, "size": len(text.encode()), "filename": f"contribution-{i}-{lang}.txt",
                               "kind": "txt", "mimetype": "text/plain", "text": text, "extraction_status": "ok",
                               "pages": d.pages, "uploaded_at": when, "published_at": when if published else None})
            db.session.execute(insert(Contribution), cs)
            db.session.execute(insert(Version), vs)
            db.session.execute(insert(DocumentFile), fs)
            db.session.execute(insert(version_action_lines), als)
            db.session.execute(update(Contribution).where(Contribution.id.between(start + 1, start + len(cs)),
                                                          Contribution.state == "published")
                               .values(current_version_id=Contribution.id).execution_options(synchronize_session=False))
            db.session.commit()
            if (start // batch) % 20 == 0:
                print(f"  {start + len(cs)} / {total} contributions ({time.monotonic() - started:.0f} s)")
        db.session.execute(insert(SymbolCounter), [
            {"meeting_id": mid, "series": series, "last": last} for (mid, series), last in counters.items()])
        db.session.commit()
        db.engine.dispose()
    size = (out / "portal.db").stat().st_size / 1e6
    print(f"{out}: {n} published + {pending} pending contributions, {file_id} files, database {size:.0f} MB, "
          f"{time.monotonic() - started:.0f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int)
    ap.add_argument("--page-scale", type=float, default=1.0, help="shorter bodies (the 100,000 point)")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    create(args.n, page_scale=args.page_scale, out=args.out, force=args.force)


if __name__ == "__main__":
    main()
