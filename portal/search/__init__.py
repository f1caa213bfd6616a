"""Full-text search of the portal (Whoosh). This package is the only code that imports whoosh.

analysis.py  how text becomes terms, in the six UN languages
schema.py    the fields of the index and how a contribution becomes an entry
source.py    what the index should hold, read from the database
store.py     where the index lives, the writer lock, the swap of a rebuilt index
indexer.py   draining the job table, reindex, check
engine.py    query evaluation, facets, paging over the index
service.py   the public search: parameters, parsing, highlighting, suggestions
pending.py   the moderation queue's search (pending items are never in the index)
"""

from __future__ import annotations

from flask import Flask

DEFAULTS = {
    "SEARCH_ENABLED": True,
    # None: instance/index (a symbolic link to the current index directory beside it).
    "SEARCH_INDEX_DIR": None,
    # Characters of each language version that are indexed (see benchmarks/RESULTS.md for why a bound).
    "SEARCH_BODY_CHARS": 12_000,
    # Characters of each text stored for highlighted passages.
    "SEARCH_EXCERPT_CHARS": 3_000,
    "SEARCH_PAGE_SIZE": 20,
    "SEARCH_MAX_PAGES": 50,
    "SEARCH_QUERY_MAX_CHARS": 500,
    # How often a process looks for index changes made by other processes.
    "SEARCH_REFRESH_SECONDS": 0.5,
    # How long a request waits for the writer lock after its commit, and drains before handing over.
    "SEARCH_DRAIN_WAIT_SECONDS": 0.25,
    "SEARCH_DRAIN_BUDGET_SECONDS": 2.0,
    "SEARCH_RETRY_SECONDS": 0.5,
    # Postings kept in memory per process (see the README for their size).
    "SEARCH_CACHE_POSTINGS": 1_000_000,
    # Processes that index during a rebuild, and documents per segment that each writes: fewer segments
    # make faster queries, and cost memory while building (see benchmarks/RESULTS.md).
    "SEARCH_REINDEX_PROCS": 2,
    "SEARCH_REINDEX_CHUNK": 10_000,
    "SEARCH_OLD_INDEX_GRACE_SECONDS": 5.0,
}


def init_app(app: Flask) -> None:
    """Register the search pages and commands. (The index itself opens lazily.)"""
    from portal.search import cli, engine
    from portal.search.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    engine.configure_cache(app.config["SEARCH_CACHE_POSTINGS"])
    app.register_blueprint(bp)
    cli.register(app)

    if not app.testing:
        @app.before_request
        def _drain_left_over_jobs():
            from portal.search import indexer

            indexer.drain_on_start(app)


def rebuild_index() -> int:
    """Rebuild the public index from the database. Returns the number of documents indexed."""
    from flask import current_app

    from portal.search import indexer

    return indexer.reindex(current_app._get_current_object()).documents


def index_status() -> dict:
    """The state of the index for /healthz."""
    from portal.search import indexer

    return indexer.status()
