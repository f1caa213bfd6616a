"""One process's run of the Stocktaking faceted search, for bench_stocktaking's side-by-side comparison:
the queries (a JSON file of query strings) against an instance folder, twice: "cold" (a fresh process,
nothing in the postings cache) and "warm" (the same queries again). Prints one JSON line. Run by path,
with the checkout to measure first on sys.path, so that it measures that checkout's `portal`:

    cd CHECKOUT && PYTHONPATH=. .venv/bin/python /path/to/benchmarks/entry_search_pass.py INSTANCE QUERIES.json
"""

import json
import statistics
import sys
import time


def main() -> None:
    instance, queries_file = sys.argv[1], sys.argv[2]
    from portal import create_app

    app = create_app(instance_path=instance)
    queries = json.loads(open(queries_file, encoding="utf-8").read())
    out = {}
    with app.app_context(), app.test_request_context():
        from portal import search
        params = [search.parse_entry_params(q)[0] for q in queries]
        for name in ("cold", "warm"):
            times = []
            for p in params:
                t0 = time.perf_counter()
                search.run_entries(p)
                times.append((time.perf_counter() - t0) * 1000)
            cuts = statistics.quantiles(times, n=100)
            out[name] = {"p50": round(statistics.median(times), 1), "p95": round(cuts[94], 1)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
