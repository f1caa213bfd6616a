"""Query latency at the search-module level: `service.parse_params` + `service.run` (parse, evaluate,
two facet filters, six facet counts, rank, 20 hits read and highlighted), in one fresh process, as a
request thread of the portal runs them (minus the template).

    .venv/bin/python -m benchmarks.bench_query benchmarks/data/instance-20000 [--queries 300]

Two passes over the same queries: "cold" (first time each term is read from the index: nothing in
the postings cache) and "warm" (the same queries again); and the same words without filters.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from benchmarks import queries as Qs


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1),
            "p99_ms": round(pct(ms, 99), 1), "mean_ms": round(statistics.mean(ms), 1), "max_ms": round(max(ms), 1)}


def run(instance: Path, n_queries: int, n_docs: int, page_scale: float = 1.0) -> dict:
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    from portal import create_app
    from portal.search import service

    app = create_app(instance_path=str(instance))
    qs = Qs.generate(n_queries, n_docs, page_scale=page_scale)
    bare = [{"q": q["q"]} for q in qs]
    out: dict = {"instance": instance.name, "queries": n_queries}

    def measure(batch):
        ms, totals, hits = [], [], []
        for args in batch:
            with app.test_request_context("/search", query_string=args):
                t = time.perf_counter()
                params, _ = service.parse_params(args)
                page = service.run(params)
                ms.append((time.perf_counter() - t) * 1000)
                totals.append(page.total)
                hits.append(len(page.hits))
        res = summary(ms)
        res["mean_results"] = round(statistics.mean(totals))
        res["mean_hits_on_page"] = round(statistics.mean(hits), 1)
        return res

    with app.test_request_context("/search"):  # open the index (not timed: once per process)
        t = time.perf_counter()
        service.run(service.Params(q="information"))
        out["open_ms"] = round((time.perf_counter() - t) * 1000)
    out["two_facets_cold"] = measure(qs)
    out["two_facets_warm"] = measure(qs)
    out["no_filter_warm"] = measure(bare)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("instance", type=Path)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--docs", type=int, default=None, help="documents in the instance (default: from its name)")
    ap.add_argument("--page-scale", type=float, default=1.0)
    args = ap.parse_args()
    n_docs = args.docs or int(args.instance.name.split("-")[1])
    print(json.dumps(run(args.instance.resolve(), args.queries, n_docs, args.page_scale), indent=1))


if __name__ == "__main__":
    main()
