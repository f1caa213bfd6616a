"""The collections the portal indexes: each its own Whoosh index (pointer, writer lock, rebuilds),
filled from its own rows through its own job table, with the same text analysis and query engine.

``contributions``  published contributions; jobs in IndexJob; ``instance/index`` (or SEARCH_INDEX_DIR)
``stocktaking``    published Stocktaking entries; jobs in EntryIndexJob; ``stocktaking-index`` beside it
                   (or SEARCH_STOCKTAKING_INDEX_DIR)

A collection names what differs: its schema, how its sources are read from the database, its job
table and where its pointer lives. Everything else (store, indexer, engine, service) takes a
collection and defaults to the contributions'.

The entries' pointer is named ``stocktaking-index``, not ``index-stocktaking``: everything beside a
pointer whose name starts with ``<pointer>-`` is taken for one of its old rebuilt directories (and
removed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session
from whoosh.fields import Schema

from portal.models import EntryIndexJob, IndexJob
from portal.search import source
from portal.search.schema import build_entry_schema, build_schema


@dataclass(frozen=True)
class Collection:
    name: str
    label: str  # in the commands' output
    pointer_name: str  # the pointer's name in the instance folder
    setting: str  # the setting that puts the pointer elsewhere
    job: type  # the job table's model
    job_key: str  # its column naming the row to index
    build_schema: Callable[[], Schema]
    published_ids: Callable[[Session], list[int]]
    any_published: Callable[[Session], bool]
    load: Callable[..., Iterator]  # (session, ids, body_chars, *, with_text=True) -> sources

    @property
    def job_target(self):
        """The job table's column naming the row to index."""
        return getattr(self.job, self.job_key)

    def new_job(self, target_id: int):
        return self.job(**{self.job_key: target_id})

    def new_jobs(self, target_ids: Iterable[int]) -> list:
        return [self.new_job(i) for i in target_ids]


CONTRIBUTIONS = Collection(
    name="contributions", label="contributions", pointer_name="index", setting="SEARCH_INDEX_DIR",
    job=IndexJob, job_key="contribution_id", build_schema=build_schema,
    published_ids=source.published_ids, any_published=source.any_published, load=source.load)

STOCKTAKING = Collection(
    name="stocktaking", label="Stocktaking entries", pointer_name="stocktaking-index",
    setting="SEARCH_STOCKTAKING_INDEX_DIR", job=EntryIndexJob, job_key="entry_id",
    build_schema=build_entry_schema, published_ids=source.published_entry_ids,
    any_published=source.any_published_entry, load=source.load_entries)

COLLECTIONS: tuple[Collection, ...] = (CONTRIBUTIONS, STOCKTAKING)
BY_NAME = {c.name: c for c in COLLECTIONS}
