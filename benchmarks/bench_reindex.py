"""Bulk reindex throughput: `indexer.reindex` (what `flask --app app reindex` runs) on a benchmark
instance, then a check that the index holds exactly the published contributions.

    .venv/bin/python -m benchmarks.bench_reindex benchmarks/data/instance-20000 [--procs 2] [--body-chars 12000]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def dir_size(p: Path) -> int:
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def run(instance: Path, *, procs: int, body_chars: int | None, check: bool = True) -> dict:
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    from portal import create_app
    from portal.search import indexer, store

    overrides = {"SEARCH_BODY_CHARS": body_chars} if body_chars else {}
    app = create_app(overrides or None, instance_path=str(instance))
    with app.app_context():
        t0 = time.monotonic()
        stats = indexer.reindex(app, procs=procs, progress=lambda n: print(f"  {n} documents "
                                                                           f"({time.monotonic() - t0:.0f} s)"))
        out = {"documents": stats.documents, "seconds": round(stats.seconds, 1),
               "seconds_with_swap_and_catch_up": round(stats.total_seconds, 1),
               "docs_per_second": round(stats.documents / stats.seconds, 1), "procs": procs,
               "body_chars": app.config["SEARCH_BODY_CHARS"],
               "index_mb": round(dir_size(store.current_dir(store.pointer(app))) / 1e6)}
        if check:
            t1 = time.monotonic()
            report = indexer.check(app)
            out["check_clean"] = report.clean
            out["check_seconds"] = round(time.monotonic() - t1, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance", type=Path)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--body-chars", type=int, default=None)
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args()
    print(json.dumps(run(args.instance.resolve(), procs=args.procs, body_chars=args.body_chars,
                         check=not args.no_check)))


if __name__ == "__main__":
    main()
