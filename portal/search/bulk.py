"""Building a whole index with Whoosh's own writer: the documents are read from the database in this
process and indexed by `ix.writer(procs=N, multisegment=True)` (Whoosh's MpWriter), whose N forked
processes each write one segment. A build goes in rounds of N x `chunk` documents, one writer each,
so that a process holds the postings of about `chunk` documents: Whoosh keeps a segment's postings
in memory until it writes the segment, and sorting them through files on disk (past `POOL_MB`) makes
the build much slower. A small build runs in this process.

MpWriter leaves a failed process's segment out of the index without saying so, and cannot stop its
processes when the build fails half-way: `build` checks the processes' exit codes and the number of
documents in the new index, and stops the processes itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

from whoosh import index as whoosh_index

from portal.search import store
from portal.search.schema import bulk_memos

log = logging.getLogger("portal.search")

# Below this many documents one process builds the index: forked processes and a segment each are not
# worth it for a few hundred documents.
PARALLEL_FROM = 2_000
# Whoosh's limitmb: megabytes (by its own estimate) of postings a writer keeps in memory before it sorts
# them into runs on disk. A bound for unusually long documents; a round's postings normally fit.
POOL_MB = 4_096


def build(directory: Path, docs: Iterable[dict], *, count: int, procs: int, chunk: int) -> int:
    """Index the documents (the keyword arguments of `add_document`, `count` of them) into the empty
    index in `directory`, in segments of about `chunk` documents. Returns the number indexed."""
    ix = whoosh_index.open_dir(str(directory))
    procs = procs if procs > 1 and count >= PARALLEL_FROM else 1
    docs = iter(docs)
    n = 0
    with bulk_memos():  # (forked processes inherit the limit)
        while True:
            added = _round(ix, islice(docs, chunk * procs), procs)
            n += added
            if added < chunk * procs:
                break
    indexed = whoosh_index.open_dir(str(directory)).doc_count_all()
    if indexed != n:
        raise RuntimeError(f"index build failed: {indexed} of {n} documents in the index")
    return n


def _round(ix, docs: Iterable[dict], procs: int) -> int:
    """Add these documents with one writer (its own segments, no merge). Returns how many."""
    options = {"codec": store.codec(), "compound": False, "limitmb": POOL_MB}
    writer = ix.writer(procs=procs, multisegment=True, **options) if procs > 1 else ix.writer(**options)
    added = 0
    try:
        for doc in docs:
            writer.add_document(**doc)
            added += 1
        if added:
            writer.commit(merge=False)
        else:
            writer.cancel()
    except BaseException:
        _stop(writer)
        raise
    failed = [task.exitcode for task in getattr(writer, "tasks", ()) if task.exitcode]
    if failed:
        raise RuntimeError(f"index build failed: writer processes exited with {failed} (their tracebacks "
                           "are in the log)")
    return added


def _stop(writer) -> None:
    """Cancel a writer, ending the processes of a multiprocessing writer (its own cancel leaves them
    waiting for more documents)."""
    for task in getattr(writer, "tasks", ()):
        if task.is_alive():
            task.terminate()
        task.join()
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001 - the original error is what matters
        log.debug("cancelling the bulk writer", exc_info=True)
