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
from portal.models import IndexJob
from portal.search import engine, source, store
from portal.search.schema import document

log = logging.getLogger("portal.search")

MAX_ATTEMPTS = 8
BATCH = 200


def _cfg(app: Flask, key: str):
    return app.config[key]


# --- Applying changes ------------------------------------------------------------------------------


def _apply(ptr: Path, sources: list[source.Source], excerpt_chars: int) -> None:
    """Write the entries of these contributions (or remove them) in one index commit."""
    ix = store.open_for_writing(ptr)
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


def _load(app: Flask, ids: list[int]) -> list[source.Source]:
    with Session(db.engine) as s:
        return list(source.load(s, ids, _cfg(app, "SEARCH_BODY_CHARS")))


def drain(app: Flask, *, wait: float = 0.0, budget: float | None = None) -> str:
    """Index pending jobs. Returns "done" (none left that can run), "busy" (another writer holds the
    lock), "budget" (time is up, jobs are left) or "failed" (some jobs failed and were kept)."""
    ptr = store.pointer(app)
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
                    select(IndexJob.id, IndexJob.contribution_id)
                    .where(IndexJob.attempts < MAX_ATTEMPTS, IndexJob.id.not_in(seen_failures or {-1}))
                    .order_by(IndexJob.id).limit(BATCH)).all()
            if not jobs:
                return "failed" if failed else "done"
            ids = list(dict.fromkeys(j.contribution_id for j in jobs))
            try:
                _apply(ptr, _load(app, ids), _cfg(app, "SEARCH_EXCERPT_CHARS"))
            except Exception:  # noqa: BLE001 - retried job by job below
                log.warning("index batch of %d jobs failed; retrying them one by one", len(jobs), exc_info=True)
                done = _one_by_one(app, ptr, jobs, seen_failures)
                failed = True
            else:
                done = [j.id for j in jobs]
            if done:
                with Session(db.engine) as s:
                    s.execute(delete(IndexJob).where(IndexJob.id.in_(done)))
                    s.commit()
            if budget is not None and time.monotonic() - started > budget:
                return "budget"
    finally:
        lock.release()


def _one_by_one(app: Flask, ptr: Path, jobs, seen_failures: set[int]) -> list[int]:
    done = []
    for j in jobs:
        try:
            _apply(ptr, _load(app, [j.contribution_id]), _cfg(app, "SEARCH_EXCERPT_CHARS"))
        except Exception as exc:  # noqa: BLE001 - recorded on the job row
            log.error("indexing contribution %s failed: %s", j.contribution_id, exc, exc_info=True)
            seen_failures.add(j.id)
            with Session(db.engine) as s:
                s.execute(update(IndexJob).where(IndexJob.id == j.id).values(
                    attempts=IndexJob.attempts + 1,
                    last_error=f"{exc.__class__.__name__}: {exc}"[:500]))
                s.commit()
        else:
            done.append(j.id)
    return done


# --- After commit, and in the background -----------------------------------------------------------------

_retry_lock = threading.Lock()
_retrying: dict[str, threading.Thread] = {}


def drain_after_commit() -> None:
    """Called after each commit that wrote jobs. Never raises: the change is committed, and a job
    left behind is drained later (or found by check-index)."""
    app = current_app._get_current_object()
    if not app.config.get("SEARCH_ENABLED", True):
        return
    try:
        outcome = drain(app, wait=_cfg(app, "SEARCH_DRAIN_WAIT_SECONDS"),
                        budget=_cfg(app, "SEARCH_DRAIN_BUDGET_SECONDS"))
    except Exception:  # noqa: BLE001
        log.exception("draining the index jobs failed")
        outcome = "failed"
    if outcome != "done":
        schedule_retry(app, immediate=outcome == "budget")


def schedule_retry(app: Flask, *, immediate: bool = False) -> None:
    """One background thread per index and process drains again shortly (and keeps trying, backing
    off, while jobs remain that can run)."""
    key = str(store.pointer(app))
    with _retry_lock:
        t = _retrying.get(key)
        if t is not None and t.is_alive():
            return
        t = threading.Thread(target=_retry, args=(app, key, immediate), name="index-drain", daemon=True)
        _retrying[key] = t
    t.start()


def _retry(app: Flask, key: str, immediate: bool) -> None:
    delay = 0.0 if immediate else _cfg(app, "SEARCH_RETRY_SECONDS")
    try:
        for _ in range(40):
            time.sleep(delay)
            with app.app_context():
                try:
                    outcome = drain(app, wait=2.0)
                    if outcome == "done" or (outcome == "busy" and not pending(app)):
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


def pending(app: Flask) -> int:
    """Jobs that can still run (not failed MAX_ATTEMPTS times)."""
    with Session(db.engine) as s:
        return s.scalar(select(func.count(IndexJob.id)).where(IndexJob.attempts < MAX_ATTEMPTS)) or 0


_started: set[str] = set()


def drain_on_start(app: Flask) -> None:
    """Once per process and index: replay jobs left by a process that died before draining them."""
    key = str(store.pointer(app))
    if key in _started:
        return
    _started.add(key)
    try:
        if pending(app):
            schedule_retry(app, immediate=True)
    except Exception:  # noqa: BLE001 - e.g. the database is not migrated yet
        log.debug("no start-up drain", exc_info=True)


# --- Comparing with the database --------------------------------------------------------------------------


@dataclass
class Report:
    indexed: int = 0
    published: int = 0
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    duplicated: list[int] = field(default_factory=list)
    pending_jobs: int = 0
    failed_jobs: list[tuple[int, int, str | None]] = field(default_factory=list)

    @property
    def differences(self) -> list[int]:
        return sorted(set(self.missing) | set(self.extra) | set(self.stale) | set(self.duplicated))

    @property
    def clean(self) -> bool:
        return not self.differences and not self.failed_jobs


def index_stamps(ptr: Path) -> tuple[dict[int, str], list[int]]:
    """{contribution id: stamp} of the live entries, and the ids found more than once."""
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


def check(app: Flask) -> Report:
    ptr = store.pointer(app)
    have, dup = index_stamps(ptr)
    with Session(db.engine) as s:
        ids = source.published_ids(s)
        want = {src.id: src.stamp for src in source.load(s, ids, _cfg(app, "SEARCH_BODY_CHARS"), with_text=False)}
        failed = [(j.id, j.contribution_id, j.last_error) for j in s.execute(
            select(IndexJob.id, IndexJob.contribution_id, IndexJob.last_error)
            .where(IndexJob.attempts >= MAX_ATTEMPTS).order_by(IndexJob.id))]
        pending_jobs = s.scalar(select(func.count(IndexJob.id))) or 0
    return Report(
        indexed=len(have), published=len(want),
        missing=sorted(set(want) - set(have)), extra=sorted(set(have) - set(want)),
        stale=sorted(i for i in set(want) & set(have) if want[i] != have[i]),
        duplicated=sorted(set(dup)), pending_jobs=pending_jobs, failed_jobs=failed,
    )


def fix(app: Flask, report: Report, *, wait: float = 60.0) -> str:
    """Queue a job for every difference (and give failed jobs another chance), then drain."""
    with Session(db.engine) as s:
        s.add_all(IndexJob(contribution_id=cid) for cid in report.differences)
        if report.failed_jobs:
            s.execute(update(IndexJob).where(IndexJob.attempts >= MAX_ATTEMPTS).values(attempts=0))
        s.commit()
    return drain(app, wait=wait)


# --- Rebuilding ---------------------------------------------------------------------------------------------


@dataclass
class BuildStats:
    documents: int = 0
    seconds: float = 0.0  # reading the database and writing the new index, up to the swap
    directory: str = ""
    caught_up: int = 0
    total_seconds: float = 0.0


def build(app: Flask, directory: Path, *, procs: int = 1, progress: Callable[[int], None] | None = None) -> int:
    """Fill an empty index directory with every published contribution. Returns the count."""
    from portal.search import bulk

    store.create(directory)
    body_chars, excerpt_chars = _cfg(app, "SEARCH_BODY_CHARS"), _cfg(app, "SEARCH_EXCERPT_CHARS")
    with Session(db.engine) as s:
        ids = source.published_ids(s)

        def docs():
            n = 0
            for src in source.load(s, ids, body_chars):
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
            swap_wait: float = 120.0) -> BuildStats:
    """Build a new index from the database, swap it in, and catch up with what changed meanwhile."""
    ptr = store.pointer(app)
    ptr.parent.mkdir(parents=True, exist_ok=True)
    guard = store.WriterLock(ptr.with_name(ptr.name + "-rebuild"))
    if not guard.acquire(timeout=0):
        raise RuntimeError("another reindex is running")
    started = time.monotonic()
    try:
        store.remove_old(ptr, older_than=_cfg(app, "SEARCH_OLD_INDEX_GRACE_SECONDS"))
        directory = store.new_dir(ptr)
        try:
            n = build(app, directory, procs=procs or _cfg(app, "SEARCH_REINDEX_PROCS"), progress=progress)
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
            caught_up = _catch_up(app, ptr)
        finally:
            lock.release()
        drain(app, wait=swap_wait)  # the jobs written during the build
        time.sleep(min(_cfg(app, "SEARCH_OLD_INDEX_GRACE_SECONDS"), 2.0))
        store.remove_old(ptr)
        return BuildStats(documents=n, seconds=built, directory=str(directory), caught_up=caught_up,
                          total_seconds=time.monotonic() - started)
    finally:
        guard.release()


def _catch_up(app: Flask, ptr: Path) -> int:
    """With the writer lock held: bring the fresh index in line with changes committed during the build
    (drained into the old index meanwhile, or still queued)."""
    report = check(app)
    if report.differences:
        sources = _load(app, report.differences)
        _apply(ptr, sources, _cfg(app, "SEARCH_EXCERPT_CHARS"))
    return len(report.differences)


def status() -> dict:
    """For /healthz: "ok", or "degraded" when jobs failed or wait for more than a minute, or "missing"
    when something is published and there is no index."""
    from datetime import datetime, timedelta, timezone

    app = current_app._get_current_object()
    ptr = store.pointer(app)
    out: dict = {"status": "ok"}
    with Session(db.engine) as s:
        failed = s.scalar(select(func.count(IndexJob.id)).where(IndexJob.attempts >= MAX_ATTEMPTS)) or 0
        oldest = s.scalar(select(func.min(IndexJob.created_at)))
    out["jobs_failed"] = failed
    mgr = engine.manager_for(ptr)
    ctx = mgr.acquire(ptr, app.config["SEARCH_REFRESH_SECONDS"])
    if ctx is None:
        out["documents"] = 0
        with Session(db.engine) as s:
            if source.any_published(s):
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
