"""The WSIS Stocktaking at scale, on a new instance folder: N entries (50,000) are imported from a generated CSV
with `import-stocktaking`'s code (read, check, load in one transaction), then indexed; printed:

- import rate (rows per second, checking and loading, one transaction), and the index build of the entries;
- faceted search at the module level (`portal.search.run_entries`): p50/p95 over --queries searches mixing
  words and one or two facets (action line, SDG, region, country, status, partners), first page of 20, in
  --rounds fresh processes (entry_search_pass.py), each twice: "cold" (nothing in the postings cache yet)
  and "warm" (the same queries again); the medians of the rounds. With --compare CHECKOUT, the same for
  another checkout (e.g. a git worktree of the version before), alternating, on a copy of the database
  with the index that checkout's code builds;
- the browse page over HTTP (gunicorn, 2 workers x 4 threads, as `make run` serves it): p50/p95;
- the report of a year with 10,000 entries (`report.build`, the CSV and the PDF), in seconds.

    .venv/bin/python -m benchmarks.bench_stocktaking [--entries 50000] [--queries 300] [--keep DIR]
        [--rounds 3] [--compare ../before] [--no-http] [--no-search]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import update

from portal import create_app
from portal.extensions import db

WORDS = ("broadband rural schools libraries telecentre open data e-government health learning farmers women "
         "youth cybersecurity local content radio community mobile payments skills innovation access ocean "
         "climate disaster early warning satellite fibre spectrum regulation accessibility disability "
         "multilingual archives heritage journalism media ethics cooperation research universities").split()
FRENCH = "numérique télécentres écoles rurales formation accès santé jeunes femmes radio communautaire".split()
COUNTRIES = ["KE", "SN", "EG", "TN", "BR", "CO", "MX", "US", "FR", "CH", "DE", "RU", "KZ", "UZ", "CN", "IN",
             "PH", "ID", "AU", "JP", "ZA", "NG", "GH", "SA", "AE", "JO", "PE", "AR", "UA", "PL"]
TYPES = ["Government", "Civil society", "Private sector", "Academia", "International organisation",
         "Technical community"]
HEADER = ["external_id", "title", "description", "organisation", "stakeholder_type", "organisation_country",
          "action_lines", "main_action_line", "sdgs", "countries", "status", "start_date", "end_date", "website"]


def make_csv(n: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)
    for i in range(n):
        words = FRENCH if i % 5 == 0 else WORDS
        lines = sorted(rnd.sample(range(1, 12), rnd.randint(1, 3)))
        codes = [f"C{k}" for k in lines]
        places = "global" if i % 17 == 0 else ";".join(rnd.sample(COUNTRIES, rnd.randint(1, 3)))
        status = rnd.choice(["planned", "ongoing", "completed"])
        start = rnd.randint(2004, 2024)
        w.writerow([f"ST-{i}", " ".join(rnd.sample(words, 5)).capitalize(),
                    " ".join(rnd.choices(words, k=60)) + ".", f"Organisation {i % 3000}", TYPES[i % 6],
                    rnd.choice(COUNTRIES), ";".join(codes), codes[0],
                    ";".join(str(g) for g in sorted(rnd.sample(range(1, 18), rnd.randint(0, 3)))), places, status,
                    f"{start}-01-01", f"{start + 3}-12-31" if status == "completed" else "",
                    f"https://example.org/activity/{i}"])
    return out.getvalue()


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def queries(n: int, seed: int = 11) -> list[dict]:
    rnd = random.Random(seed)
    facets = [("action_line", lambda: f"C{rnd.randint(1, 11)}"), ("sdg", lambda: str(rnd.randint(1, 17))),
              ("region", lambda: rnd.choice(["africa", "americas", "arab_states", "asia_pacific", "cis", "europe"])),
              ("country", lambda: rnd.choice(COUNTRIES)), ("status", lambda: rnd.choice(["planned", "ongoing"])),
              ("partners", lambda: "yes")]
    out = []
    for i in range(n):
        args = {}
        if i % 3:
            args["q"] = rnd.choice(WORDS + FRENCH)
        for name, value in rnd.sample(facets, rnd.randint(1, 2)):
            args[name] = value()
        out.append(args)
    return out


def reindex_with(checkout: Path, instance: Path) -> None:
    """Build the entries' index of `instance` with another checkout's code (its own layout)."""
    subprocess.run([str(checkout / ".venv/bin/flask"), "--app", "app", "reindex", "--collection", "stocktaking",  # noqa: S603
                    "--procs", "2"], cwd=checkout, env={**os.environ, "PORTAL_INSTANCE_PATH": str(instance),
                                                         "PYTHONPATH": str(checkout)},
                   check=True, stdout=subprocess.DEVNULL)


def one_pass(checkout: Path, instance: Path, queries_file: Path) -> dict:
    """entry_search_pass.py in a fresh process, measuring that checkout's portal: cold, then warm."""
    out = subprocess.run([str(checkout / ".venv/bin/python"), str(Path(__file__).with_name("entry_search_pass.py")),  # noqa: S603
                          str(instance), str(queries_file)], cwd=checkout, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(checkout)}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def search_rounds(instance: Path, args) -> dict:
    """--rounds fresh processes of this checkout (and of --compare's, on its own copy of the database with
    the index its code builds), alternating; the medians of the rounds' p50 and p95."""
    queries_file = instance.parent / "queries.json"
    queries_file.write_text(json.dumps(queries(args.queries)), encoding="utf-8")
    here = Path(__file__).resolve().parent.parent
    versions = {"this": (here, instance)}
    if args.compare:
        other = instance.parent / "compare" / "instance"
        other.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(instance / "portal.db") as src, sqlite3.connect(other / "portal.db") as dst:
            src.backup(dst)  # (a consistent copy, with what is still in the write-ahead log)
        (other / "config.py").write_text(f"SECRET_KEY = 'benchmark'\nSQLALCHEMY_DATABASE_URI = "
                                         f"'sqlite:///{other / 'portal.db'}'\n")
        t0 = time.perf_counter()
        reindex_with(args.compare.resolve(), other)
        print(f"index build by {args.compare}: {time.perf_counter() - t0:.1f} s", flush=True)
        versions["compare"] = (args.compare.resolve(), other)
    runs: dict = {name: [] for name in versions}
    for _ in range(args.rounds):
        for name, (checkout, inst) in versions.items():
            runs[name].append(one_pass(checkout, inst, queries_file))
    out: dict = {}
    for name, got in runs.items():
        out[name] = {phase: {q: round(statistics.median(r[phase][q] for r in got), 1) for q in ("p50", "p95")}
                     for phase in ("cold", "warm")}
        label = "this checkout" if name == "this" else str(args.compare)
        print(f"faceted search, module level, {args.queries} queries, {label}, medians of {args.rounds} "
              f"fresh processes: cold p50 {out[name]['cold']['p50']} ms, p95 {out[name]['cold']['p95']} ms; "
              f"warm p50 {out[name]['warm']['p50']} ms, p95 {out[name]['warm']['p95']} ms", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--report-year-entries", type=int, default=10_000)
    ap.add_argument("--keep", type=Path, help="build the instance here and keep it")
    ap.add_argument("--no-http", action="store_true")
    ap.add_argument("--no-search", action="store_true", help="import and report only")
    ap.add_argument("--rounds", type=int, default=3, help="fresh processes per version for the search figures")
    ap.add_argument("--compare", type=Path, help="another checkout of the portal (with its .venv) whose search "
                    "is measured alongside, on a copy of the database with the index its code builds")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-stocktaking-"))
    instance = folder / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "config.py").write_text(f"SECRET_KEY = 'benchmark'\nSQLALCHEMY_DATABASE_URI = "
                                        f"'sqlite:///{instance / 'portal.db'}'\n")
    app = create_app(instance_path=str(instance))
    results: dict = {"entries": args.entries}
    with app.app_context():
        from flask_migrate import upgrade

        from portal import search
        from portal.models import Entry
        from portal.reference import load_reference_data
        from portal.stocktaking import importer, report
        upgrade()
        load_reference_data()
        db.session.commit()
        text = make_csv(args.entries)
        codes = {f"C{i}" for i in range(1, 12)}
        t0 = time.perf_counter()
        checked = importer.read(text, codes)
        assert not checked.problems, checked.problems[:3]
        t1 = time.perf_counter()
        importer.apply(checked)
        db.session.commit()
        t2 = time.perf_counter()
        results["import"] = {"rows": len(checked.rows), "check_s": round(t1 - t0, 2), "load_s": round(t2 - t1, 2),
                             "rows_per_s": round(len(checked.rows) / (t2 - t0))}
        print(f"import: {len(checked.rows)} rows in {t2 - t0:.1f} s ({results['import']['rows_per_s']} rows/s; "
              f"check {t1 - t0:.1f} s, load and commit {t2 - t1:.1f} s)", flush=True)

        # The report of a year that has report_year_entries entries: the others published later.
        year = 2020
        db.session.execute(update(Entry).values(first_published_at=datetime(2024, 6, 1, tzinfo=timezone.utc)))
        db.session.execute(update(Entry).where(Entry.id <= args.report_year_entries)
                           .values(first_published_at=datetime(year, 6, 1, tzinfo=timezone.utc)))
        db.session.commit()
        with app.test_request_context():
            from portal.stocktaking import views
            t0 = time.perf_counter()
            r = report.build(year)
            t1 = time.perf_counter()
            report.to_csv(r, region_names={k: str(v) for k, v in views.REGION_NAMES.items()},
                          type_names={k: str(v) for k, v in views.STAKEHOLDER_TYPES.items()},
                          line_title=views.action_line_title)
            t2 = time.perf_counter()
            body = views.report_pdf(year)
            t3 = time.perf_counter()
        assert r.total == args.report_year_entries, r.total
        results["report"] = {"entries": r.total, "build_s": round(t1 - t0, 2), "csv_s": round(t2 - t1, 2),
                             "pdf_s": round(t3 - t2, 2), "pdf_bytes": len(body.data)}
        print(f"report of {r.total} entries: counts {t1 - t0:.2f} s, CSV {t2 - t1:.2f} s, PDF {t3 - t2:.2f} s "
              f"({len(body.data) // 1024} kB)", flush=True)

        if args.no_search:
            json.dump(results, sys.stdout)
            print()
            return
        t0 = time.perf_counter()
        search.rebuild_index()
        t1 = time.perf_counter()
        results["index_s"] = round(t1 - t0, 1)
        print(f"index build (contributions and entries): {t1 - t0:.1f} s", flush=True)

        db.session.remove()
    if not args.no_search:
        results["search_ms"] = search_rounds(instance, args)
    if not args.no_http:
        import requests

        from benchmarks.bench_http import Portal
        portal = Portal(instance)
        portal.start()
        try:
            session = requests.Session()
            session.get(portal.url + "/stocktaking/activities")
            times = []
            for qargs in queries(min(args.queries, 200), seed=13):
                t0 = time.perf_counter()
                resp = session.get(portal.url + "/stocktaking/activities", params=qargs)
                times.append((time.perf_counter() - t0) * 1000)
                assert resp.status_code == 200
            results["browse_http_ms"] = {"p50": round(statistics.median(times), 1), "p95": round(pct(times, 95), 1)}
            print(f"browse page over HTTP, {len(times)} requests: p50 {results['browse_http_ms']['p50']} ms, "
                  f"p95 {results['browse_http_ms']['p95']} ms", flush=True)
        finally:
            portal.stop()
    json.dump(results, sys.stdout)
    print()


if __name__ == "__main__":
    main()
