"""Indexing jobs: written in the transaction that changes what is searchable, drained after
it commits. The database stays the source of truth; a lost job is replayed or found by
`flask --app app check-index`."""

from __future__ import annotations

from collections.abc import Iterable

from portal.db import after_commit
from portal.extensions import db
from portal.models import IndexJob


def enqueue(contribution_id: int) -> None:
    """Bring this contribution's search entry in line with the database once the current
    transaction commits (nothing happens if it rolls back)."""
    db.session.add(IndexJob(contribution_id=contribution_id))
    after_commit(_drain_soon)


def enqueue_many(contribution_ids: Iterable[int]) -> None:
    for cid in contribution_ids:
        enqueue(cid)


def _drain_soon() -> None:
    from portal.search import indexer

    indexer.drain_after_commit()
