"""Indexing jobs: written in the transaction that changes what is searchable, drained after
it commits. The database stays the source of truth; a lost job is replayed or found by
`flask --app app check-index`. Contributions' jobs are IndexJob rows, Stocktaking entries'
EntryIndexJob rows; each collection is drained on its own (its own index and writer lock)."""

from __future__ import annotations

from collections.abc import Iterable

from portal.db import after_commit
from portal.extensions import db
from portal.models import EntryIndexJob, IndexJob
from portal.search.collection import STOCKTAKING


def enqueue(contribution_id: int) -> None:
    """Bring this contribution's search entry in line with the database once the current
    transaction commits (nothing happens if it rolls back)."""
    db.session.add(IndexJob(contribution_id=contribution_id))
    after_commit(_drain_soon)


def enqueue_many(contribution_ids: Iterable[int]) -> None:
    for cid in contribution_ids:
        enqueue(cid)


def enqueue_entry(entry_id: int) -> None:
    """Bring this Stocktaking entry's search entry in line with the database once the current
    transaction commits (nothing happens if it rolls back). Call it in every change of what the
    public sees of an entry: publication, archiving, restoring, inactive, a call answered, the owner
    organisation renamed or retyped."""
    db.session.add(EntryIndexJob(entry_id=entry_id))
    after_commit(_drain_entries_soon)


def enqueue_entries(entry_ids: Iterable[int]) -> None:
    for eid in entry_ids:
        enqueue_entry(eid)


def _drain_soon() -> None:
    from portal.search import indexer

    indexer.drain_after_commit()


def _drain_entries_soon() -> None:
    from portal.search import indexer

    indexer.drain_after_commit(STOCKTAKING)
