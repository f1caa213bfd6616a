"""The index writer: drains the job table, rebuilds the index, compares it with the database.

Jobs are written in the transaction of every change that affects what is searchable
(`jobs.enqueue`). After that transaction commits, `drain_after_commit` takes the writer lock for at
most SEARCH_DRAIN_WAIT_SECONDS; holding it, it takes jobs in batches, reads each job's contribution
FROM THE DATABASE (published: add or replace its entry; anything else: delete it), commits the
index, and only then deletes those job rows; it goes on until the table is empty (handing the rest
to a background thread after SEARCH_DRAIN_BUDGET_SECONDS, so that a request is never held long).
A failed batch is retried job by job; a failing job keeps its row with attempts and last_error.
A process that finds the lock taken leaves its jobs to the holder, and retries shortly after from a
background thread in case the holder had just finished. A process killed at any point loses
nothing: the job rows are still there and the next drain replays them (entries are rebuilt from
the database, so replaying is harmless). Processes also drain what is left once at start-up.

`reindex` builds a new index directory from the database while the portal keeps answering from the
current one, swaps it in, then brings it in line with anything that changed during the build.
`check` compares every entry's stamp with the database.

Every function works on one collection (collection.py: the contributions, by default, or the Stocktaking
entries), each with its own index, writer lock and job table; `drain_on_start`, `check_all`, `reindex_all`
and `status` cover them all.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.search import engine, store
from portal.search.collection import COLLECTIONS, CONTRIBUTIONS, Collection
from portal.search.schema import document

log = logging.getLogger("portal.search")

MAX_ATTEMPTS = 8
BATCH = 200


def _cfg(app: Flask, key: str):
    return app.config[key]


# --- Applying changes ------------------------------------------------------------------------------


def _apply(ptr: Path, sources: list, excerpt_chars: int, collection: Collection = CONTRIBUTIONS) -> None:
    """Write the entries of these sources (or remove them) in one index commit."""
    ix = store.open_for_writing(ptr, collection)
    writer = ix.writer(timeout=10.0, codec=store.codec(), compound=False)
    try:
        for src in sources:
            if src.indexable:
                writer.update_document(**document(src, excerpt_chars=excerpt_chars))
            else:
                writer.delete_by_term("id", str(src.id))
        writer.commit(mergetype=merge_small_segments)
    except BaseException:
        _abandon(writer)
        raise
    engine.manager_for(ptr).invalidate()


SMALL_SEGMENT = 500  # documents
MERGE_AT = 6
MERGE_MAX_DOCS = 2_000


def merge_small_segments(writer, segments):
    """Whoosh merge policy for the drain's commits: once MERGE_AT segments hold fewer than SMALL_SEGMENT
    documents each, merge the smallest of them (at most MERGE_MAX_DOCS documents: about a second).
    Whoosh's own MERGE_SMALL compares running totals with a Fibonacci number and, with twenty equal
    segments (a 100,000-document rebuild), decides to merge them all: minutes, inside a request.
    Larger merges happen only in a rebuild (`flask reindex`)."""
    from whoosh.reading import SegmentReader

    small = sorted((s for s in segments if s.doc_count_all() < SMALL_SEGMENT), key=lambda s: s.doc_count_all())
    if len(small) < MERGE_AT:
        return segments
    chosen, total = [], 0
    for seg in small:
        if total + seg.doc_count_all() > MERGE_MAX_DOCS:
            break
        chosen.append(seg)
        total += seg.doc_count_all()
    if len(chosen) < 2:
        return segments
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    merged = {id(seg) for seg in chosen}
    return [seg for seg in segments if id(seg) not in merged]


def _abandon(writer) -> None:
    """Cancel a writer that failed, even half-way through its commit: above all, free Whoosh's lock
    (a writer that keeps it would make every later write wait and fail)."""
    try:
        if not writer.is_closed:
            writer.cancel()
    except Exception:  # noqa: BLE001 - the original error is what matters
        log.debug("cancelling a failed writer", exc_info=True)
    lock = getattr(writer, "writelock", None)
    if lock is not None:
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - not held any more
            log.debug("releasing a writer lock", exc_info=True)


def _load(app: Flask, ids: list[int], collection: Collection = CONTRIBUTIONS) -> list:
    with Session(db.engine) as s:
        return list(collection.load(s, ids, _cfg(app, "SEARCH_BODY_CHARS")))


def drain(app: Flask, *, wait: float = 0.0, budget: float | None = None,
          collection: Collection = CONTRIBUTIONS) -> str:
    """Index the collection's pending jobs. Returns "done" (none left that can run), "busy" (another
    writer holds the lock), "budget" (time is up, jobs are left) or "failed" (some jobs failed and were
    kept)."""
    ptr = store.pointer(app, collection)
    Job, target = collection.job, collection.job_target
    lock = store.WriterLock(ptr)
    if not lock.acquire(timeout=wait):
        return "busy"
    started = time.monotonic()
    failed = False
    try:
        seen_failures: set[int] = set()
        while True:
            with Session(db.engine) as s:
                jobs = s.execute(
                    select(Job.id, target.label("target"))
                    .where(Job.attempts < MAX_ATTEMPTS, Job.id.not_in(seen_failures or {-1}))
                    .order_by(Job.id).limit(BATCH)).all()
            if not jobs:
                return "failed" if failed else "done"
            ids = list(dict.fromkeys(j.target for j in jobs))
            try:
                _apply(ptr, _load(app, ids, collection), _cfg(app, "SEARCH_EXCERPT_CHARS"), collection)
            except Exception:  # noqa: BLE001 - retried job by job below
                log.warning("index batch of %d jobs failed; retrying them one by one", len(jobs), exc_info=True)
                done = _one_by_one(app, ptr, jobs, seen_failures, collection)
                failed = True
            else:
                done = [j.id for j in jobs]
            if done:
                with Session(db.engine) as s:
                    s.execute(delete(Job).where(Job.id.in_(done)))
                    s.commit()
            if budget is not None and time.monotonic() - started > budget:
                return "budget"
    finally:
        lock.release()


def _one_by_one(app: Flask, ptr: Path, jobs, seen_failures: set[int], collection: Collection) -> list[int]:
    done = []
    Job = collection.job
    for j in jobs:
        try:
            _apply(ptr, _load(app, [j.target], collection), _cfg(app, "SEARCH_EXCERPT_CHARS"), collection)
        except Exception as exc:  # noqa: BLE001 - recorded on the job row
            log.error("indexing %s %s failed: %s", collection.name, j.target, exc, exc_info=True)
            seen_failures.add(j.id)
            with Session(db.engine) as s:
                s.execute(update(Job).where(Job.id == j.id).values(
                    attempts=Job.attempts + 1,
                    last_error=f"{exc.__class__.__name__}: {exc}"[:500]))
                s.commit()
        else:
            done.append(j.id)
    return done


# --- After commit, and in the background -----------------------------------------------------------------

_retry_lock = threading.Lock()
_retrying: dict[str, threading.Thread] = {}


def drain_after_commit(collection: Collection = CONTRIBUTIONS) -> None:
    """Called after each commit that wrote jobs of the collection. Never raises: the change is
    committed, and a job left behind is drained later (or found by check-index)."""
    app = current_app._get_current_object()
    if not app.config.get("SEARCH_ENABLED", True):
        return
    try:
        outcome = drain(app, wait=_cfg(app, "SEARCH_DRAIN_WAIT_SECONDS"),
                        budget=_cfg(app, "SEARCH_DRAIN_BUDGET_SECONDS"), collection=collection)
    except Exception:  # noqa: BLE001
        log.exception("draining the %s index jobs failed", collection.name)
        outcome = "failed"
    if outcome != "done":
        schedule_retry(app, immediate=outcome == "budget", collection=collection)


def schedule_retry(app: Flask, *, immediate: bool = False, collection: Collection = CONTRIBUTIONS) -> None:
    """One background thread per index and process drains again shortly (and keeps trying, backing
    off, while jobs remain that can run)."""
    key = str(store.pointer(app, collection))
    with _retry_lock:
        t = _retrying.get(key)
        if t is not None and t.is_alive():
            return
        t = threading.Thread(target=_retry, args=(app, key, immediate, collection), name="index-drain",
                             daemon=True)
        _retrying[key] = t
    t.start()


def _retry(app: Flask, key: str, immediate: bool, collection: Collection) -> None:
    delay = 0.0 if immediate else _cfg(app, "SEARCH_RETRY_SECONDS")
    try:
        for _ in range(40):
            time.sleep(delay)
            with app.app_context():
                try:
                    outcome = drain(app, wait=2.0, collection=collection)
                    if outcome == "done" or (outcome == "busy" and not pending(app, collection)):
                        return
                except Exception:  # noqa: BLE001
                    log.exception("background drain failed")
                    outcome = "failed"
                finally:
                    db.session.remove()
            delay = 0.0 if outcome == "budget" else min(max(delay * 2, 0.5), 30.0)
    finally:
        with _retry_lock:
            if _retrying.get(key) is threading.current_thread():
                del _retrying[key]


def wait_for_background(timeout: float = 10.0) -> None:
    """For tests and commands: wait until background drains have finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _retry_lock:
            threads = [t for t in _retrying.values() if t.is_alive()]
        if not threads:
            return
        threads[0].join(timeout=max(0.0, deadline - time.monotonic()))


def pending(app: Flask, collection: Collection = CONTRIBUTIONS) -> int:
    """The collection's jobs that can still run (not failed MAX_ATTEMPTS times)."""
    Job = collection.job
    with Session(db.engine) as s:
        return s.scalar(select(func.count(Job.id)).where(Job.attempts < MAX_ATTEMPTS)) or 0


_started: set[str] = set()


def drain_on_start(app: Flask) -> None:
    """Once per process and index (every collection's): replay jobs left by a process that died before
    draining them."""
    for collection in COLLECTIONS:
        key = str(store.pointer(app, collection))
        if key in _started:
            continue
        _started.add(key)
        try:
            if pending(app, collection):
                schedule_retry(app, immediate=True, collection=collection)
        except Exception:  # noqa: BLE001 - e.g. the database is not migrated yet
            log.debug("no start-up drain of %s", collection.name, exc_info=True)


# --- Comparing with the database --------------------------------------------------------------------------


@dataclass
class Report:
    """What check() found in one collection (ids are the collection's: contributions or entries)."""

    indexed: int = 0
    published: int = 0
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    pending_jobs: int = 0
    failed_jobs: list[tuple[int, int, str | None]] = field(default_factory=list)
    collection: Collection = CONTRIBUTIONS

    @property
    def differences(self) -> list[int]:
        return sorted(set(self.missing) | set(self.extra) | set(self.stale) | set(self.duplicated))

    @property
    def clean(self) -> bool:
        return not self.differences and not self.failed_jobs


def index_stamps(ptr: Path) -> tuple[dict[int, str], list[int]]:
    """{id: stamp} of the live entries, and the ids found more than once."""
    d = store.current_dir(ptr)
    if d is None:
        return {}, []
    ctx = engine.Context(d)
    try:
        out: dict[int, str] = {}
        dup: list[int] = []
        for leaf in ctx.leaves:
            ids, stamps = engine.doc_ids(leaf), engine.stamps(leaf)
            for n in range(leaf.n):
                if n in leaf.deleted:
                    continue
                cid = int(ids[n])
                if cid in out:
                    dup.append(cid)
                out[cid] = stamps[n]
        return out, dup
    finally:
        ctx.close()


def check(app: Flask, collection: Collection = CONTRIBUTIONS) -> Report:
    """Compare the collection's index with the database."""
    ptr = store.pointer(app, collection)
    Job, target = collection.job, collection.job_target
    have, dup = index_stamps(ptr)
    with Session(db.engine) as s:
        ids = collection.published_ids(s)
        want = {src.id: src.stamp for src in collection.load(s, ids, _cfg(app, "SEARCH_BODY_CHARS"),
                                                             with_text=False)}
        failed = [(j.id, j.target, j.last_error) for j in s.execute(
            select(Job.id, target.label("target"), Job.last_error)
            .where(Job.attempts >= MAX_ATTEMPTS).order_by(Job.id))]
        pending_jobs = s.scalar(select(func.count(Job.id))) or 0
    return Report(
        indexed=len(have), published=len(want),
        missing=sorted(set(want) - set(have)), extra=sorted(set(have) - set(want)),
        stale=sorted(i for i in set(want) & set(have) if want[i] != have[i]),
        duplicated=sorted(set(dup)), pending_jobs=pending_jobs, failed_jobs=failed, collection=collection,
    )


def check_all(app: Flask) -> list[Report]:
    """check() of every collection."""
    return [check(app, c) for c in COLLECTIONS]


def fix(app: Flask, report: Report, *, wait: float = 60.0) -> str:
    """Queue a job for every difference of the report's collection (and give its failed jobs another
    chance), then drain."""
    collection = report.collection
    Job = collection.job
    with Session(db.engine) as s:
        s.add_all(collection.new_jobs(report.differences))
        if report.failed_jobs:
            s.execute(update(Job).where(Job.attempts >= MAX_ATTEMPTS).values(attempts=0))
        s.commit()
    return drain(app, wait=wait, collection=collection)


# --- Rebuilding ---------------------------------------------------------------------------------------------


@dataclass
class BuildStats:
    documents: int = 0
    seconds: float = 0.0  # reading the database and writing the new index, up to the swap
    directory: str = ""
    caught_up: int = 0
    total_seconds: float = 0.0
    collection: Collection = CONTRIBUTIONS


def build(app: Flask, directory: Path, *, procs: int = 1, progress: Callable[[int], None] | None = None,
          collection: Collection = CONTRIBUTIONS) -> int:
    """Fill an empty index directory with every published row of the collection. Returns the count."""
    from portal.search import bulk

    store.create(directory, collection)
    body_chars, excerpt_chars = _cfg(app, "SEARCH_BODY_CHARS"), _cfg(app, "SEARCH_EXCERPT_CHARS")
    with Session(db.engine) as s:
        ids = collection.published_ids(s)

        def docs():
            n = 0
            for src in collection.load(s, ids, body_chars):
                if src.indexable:
                    yield document(src, excerpt_chars=excerpt_chars)
                    n += 1
                    if progress and n % 1000 == 0:
                        progress(n)

        gc_was_enabled = gc.isenabled()
        gc.disable()  # millions of small postings: the cyclic collector would rescan them again and again
        try:
            return bulk.build(directory, docs(), count=len(ids), procs=procs, chunk=_cfg(app, "SEARCH_REINDEX_CHUNK"))
        finally:
            if gc_was_enabled:
                gc.enable()


def reindex(app: Flask, *, procs: int | None = None, progress: Callable[[int], None] | None = None,
            swap_wait: float = 120.0, collection: Collection = CONTRIBUTIONS) -> BuildStats:
    """Build a new index of the collection from the database, swap it in, and catch up with what
    changed meanwhile."""
    ptr = store.pointer(app, collection)
    ptr.parent.mkdir(parents=True, exist_ok=True)
    guard = store.WriterLock(ptr.with_name(ptr.name + "-rebuild"))
    if not guard.acquire(timeout=0):
        raise RuntimeError("another reindex is running")
    started = time.monotonic()
    try:
        store.remove_old(ptr, older_than=_cfg(app, "SEARCH_OLD_INDEX_GRACE_SECONDS"))
        covered = _visible_jobs(collection)  # committed before the build reads: the build covers them
        directory = store.new_dir(ptr)
        try:
            n = build(app, directory, procs=procs or _cfg(app, "SEARCH_REINDEX_PROCS"), progress=progress,
                      collection=collection)
            built = time.monotonic() - started
        except BaseException:
            store.shutil.rmtree(directory, ignore_errors=True)
            raise
        lock = store.WriterLock(ptr)
        if not lock.acquire(timeout=swap_wait):
            store.shutil.rmtree(directory, ignore_errors=True)
            raise RuntimeError("the index writer lock was not released in time; nothing was swapped")
        try:
            store.swap(ptr, directory)
            engine.manager_for(ptr).invalidate()
            caught_up = _catch_up(app, ptr, collection)
            _delete_jobs(collection, covered)
        finally:
            lock.release()
        drain(app, wait=swap_wait, collection=collection)  # the jobs written during the build
        time.sleep(min(_cfg(app, "SEARCH_OLD_INDEX_GRACE_SECONDS"), 2.0))
        store.remove_old(ptr)
        return BuildStats(documents=n, seconds=built, directory=str(directory), caught_up=caught_up,
                          total_seconds=time.monotonic() - started, collection=collection)
    finally:
        guard.release()


def reindex_all(app: Flask, *, procs: int | None = None, progress: Callable[[int], None] | None = None,
                swap_wait: float = 120.0) -> list[BuildStats]:
    """reindex() of every collection, one after the other."""
    return [reindex(app, procs=procs, progress=progress, swap_wait=swap_wait, collection=c) for c in COLLECTIONS]


def _visible_jobs(collection: Collection) -> list[int]:
    """The ids of the collection's jobs committed so far (failed ones too)."""
    with Session(db.engine) as s:
        return list(s.scalars(select(collection.job.id)))


def _delete_jobs(collection: Collection, ids: list[int]) -> None:
    """Remove jobs that a rebuild made needless: their changes were committed before the build read the
    database. (Replaying them would index every row a second time, in small segments.)"""
    Job = collection.job
    with Session(db.engine) as s:
        for i in range(0, len(ids), 500):
            s.execute(delete(Job).where(Job.id.in_(ids[i:i + 500])))
        s.commit()


def _catch_up(app: Flask, ptr: Path, collection: Collection) -> int:
    """With the writer lock held: bring the fresh index in line with changes committed during the build
    (drained into the old index meanwhile, or still queued)."""
    report = check(app, collection)
    if report.differences:
        sources = _load(app, report.differences, collection)
        _apply(ptr, sources, _cfg(app, "SEARCH_EXCERPT_CHARS"), collection)
    return len(report.differences)


def status() -> dict:
    """For /healthz: the contributions' index at the top level (status, documents, jobs_failed,
    oldest_job_seconds) and each collection's under "collections"; "status" is the worst of them: "ok",
    "degraded" when jobs failed or wait for more than a minute, "missing" when something is published
    and there is no index."""
    app = current_app._get_current_object()
    each = {c.name: collection_status(app, c) for c in COLLECTIONS}
    out = dict(each[CONTRIBUTIONS.name])
    out["collections"] = each
    for state in ("missing", "degraded"):  # (as within one collection: degraded says more)
        if any(v["status"] == state for v in each.values()):
            out["status"] = state
    return out


def collection_status(app: Flask, collection: Collection = CONTRIBUTIONS) -> dict:
    from datetime import datetime, timedelta, timezone

    ptr = store.pointer(app, collection)
    Job = collection.job
    out: dict = {"status": "ok"}
    with Session(db.engine) as s:
        failed = s.scalar(select(func.count(Job.id)).where(Job.attempts >= MAX_ATTEMPTS)) or 0
        oldest = s.scalar(select(func.min(Job.created_at)))
    out["jobs_failed"] = failed
    mgr = engine.manager_for(ptr)
    ctx = mgr.acquire(ptr, app.config["SEARCH_REFRESH_SECONDS"])
    if ctx is None:
        out["documents"] = 0
        with Session(db.engine) as s:
            if collection.any_published(s):
                out["status"] = "missing"
    else:
        try:
            out["documents"] = ctx.doc_count
        finally:
            mgr.release(ctx)
    if oldest is not None:
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=timezone.utc)
        age = datetime.now(timezone.utc) - oldest
        out["oldest_job_seconds"] = round(age.total_seconds())
        if age > timedelta(minutes=1):
            out["status"] = "degraded"
    if failed:
        out["status"] = "degraded"
    return out
