"""Full-text search of the portal (Whoosh). This package is the only code that imports whoosh.

Two collections, each its own index: the published contributions and the published WSIS Stocktaking
entries, analysed, queried, drained, checked and rebuilt by the same code.

analysis.py    how text becomes terms, in the six UN languages
collection.py  the collections: schema, source loader, job table and pointer of each
schema.py      the fields of each index and how a contribution or an entry becomes a document
source.py      what each index should hold, read from the database
store.py       where the indexes live, the writer lock, the swap of a rebuilt index
indexer.py     draining the job tables, reindex, check
engine.py      query evaluation, facets, paging over an index
service.py     the public search of contributions: parameters, parsing, highlighting, suggestions
entries.py     the search of the Stocktaking entries (enqueue_entry, parse_entry_params, run_entries)
jobs.py        the job tables: enqueue (contributions), enqueue_entry
"""

from __future__ import annotations

from flask import Flask

from portal.search.entries import (
    ENTRY_FACETS,
    EntryHit,
    EntryParams,
    enqueue_entries,
    enqueue_entry,
    parse_entry_params,
    run_entries,
)
from portal.search.service import BadQuery, Page

__all__ = ["DEFAULTS", "ENTRY_FACETS", "BadQuery", "EntryHit", "EntryParams", "Page", "enqueue_entries",
           "enqueue_entry", "index_status", "init_app", "parse_entry_params", "rebuild_index", "run_entries"]

DEFAULTS = {
    "SEARCH_ENABLED": True,
    # None: instance/index (a symbolic link to the current index directory beside it).
    "SEARCH_INDEX_DIR": None,
    # None: stocktaking-index beside the contributions' index (the Stocktaking entries' own index).
    "SEARCH_STOCKTAKING_INDEX_DIR": None,
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
    # Postings kept in memory per process, 8 bytes each (a docnum and a frequency): 8,000,000 is 64 MB.
    "SEARCH_CACHE_POSTINGS": 8_000_000,
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
    """Rebuild every public index (contributions and Stocktaking entries) from the database. Returns
    the number of documents indexed in all."""
    from flask import current_app

    from portal.search import indexer

    return sum(stats.documents for stats in indexer.reindex_all(current_app._get_current_object()))


def rebuild_entries_index() -> int:
    """Rebuild the Stocktaking entries' index from the database (after a large import: one build in a
    few segments instead of thousands of jobs drained into the live index). Returns the number of
    entries indexed; the jobs the build covered are removed."""
    from flask import current_app

    from portal.search import indexer
    from portal.search.collection import STOCKTAKING

    return indexer.reindex(current_app._get_current_object(), collection=STOCKTAKING).documents


def index_status() -> dict:
    """The state of the indexes for /healthz: the contributions' at the top level, each collection's
    under "collections", the worst status of them as "status"."""
    from portal.search import indexer

    return indexer.status()
