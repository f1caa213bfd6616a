"""Indexing jobs: written in the transaction that changes what is searchable, drained after
it commits. The database stays the source of truth; a lost job is replayed or found by
`flask --app app check-index`."""

from __future__ import annotations

from portal.db import after_commit
from portal.extensions import db
from portal.models import IndexJob


def enqueue(contribution_id: int) -> None:
    db.session.add(IndexJob(contribution_id=contribution_id))
    after_commit(_drain_soon)


def _drain_soon() -> None:
    from portal.search import indexer

    indexer.drain_after_commit()
