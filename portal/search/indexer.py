"""The index writer. (Filled in by the search work: for now, jobs wait in the table.)"""

from __future__ import annotations


def drain_after_commit() -> None:
    return None
