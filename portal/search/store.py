"""Where the indexes live, the writer lock, and the swap of a rebuilt index.

Each collection (collection.py) has its own pointer, lock and directories, and nothing else in common.
``instance/index`` (or SEARCH_INDEX_DIR) is a symbolic link to the contributions' current index
directory, ``index-<timestamp>-<pid>`` beside it; the Stocktaking entries' is ``stocktaking-index``
beside it (or SEARCH_STOCKTAKING_INDEX_DIR), and so on. `reindex` builds a new directory while the portal keeps
answering from the old one, then replaces the link in one atomic rename; readers notice the new
target and reopen. ``index.lock`` beside the link is the writer lock: one process at a time adds,
updates or deletes entries (drains the job table) or swaps in a rebuilt index.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, current_app
from whoosh import index as whoosh_index

from portal.search.collection import CONTRIBUTIONS, Collection


def pointer(app: Flask | None = None, collection: Collection = CONTRIBUTIONS) -> Path:
    """The collection's pointer: its setting, else beside the contributions' pointer (in the instance
    folder unless SEARCH_INDEX_DIR puts it elsewhere)."""
    app = app or current_app
    configured = app.config.get(collection.setting)
    if configured:
        return Path(configured)
    base = app.config.get(CONTRIBUTIONS.setting)
    return (Path(base).parent if base else Path(app.instance_path)) / collection.pointer_name


def lock_path(ptr: Path) -> Path:
    return ptr.with_name(ptr.name + ".lock")


def current_dir(ptr: Path) -> Path | None:
    """The directory the pointer names, if it holds an index."""
    try:
        target = ptr.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        return None
    if target.is_dir() and whoosh_index.exists_in(str(target)):
        return target
    return None


def new_dir(ptr: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    d = ptr.with_name(f"{ptr.name}-{stamp}-{os.getpid()}")
    d.mkdir(parents=True)
    return d


def create(directory: Path, collection: Collection = CONTRIBUTIONS) -> whoosh_index.Index:
    return whoosh_index.create_in(str(directory), collection.build_schema())


# Segments are written as separate files, not one compound file: Whoosh reads a compound file through
# a BytesIO over its mmap, which copies every segment's terms and postings into each process's memory
# each time a reader opens (benchmarks/RESULTS.md).


def codec():
    """Whoosh's codec without zlib on posting blocks: faster to write and to read, larger on disk. (Its
    other option, inlining the postings of rare terms, is broken: the writer calls a method the term
    info lacks. Left off.)"""
    from whoosh.codec.whoosh3 import W3Codec

    return W3Codec(compression=0)


def swap(ptr: Path, directory: Path) -> Path | None:
    """Point ptr at directory in one atomic rename; returns the directory it named before."""
    previous = current_dir(ptr)
    tmp = ptr.with_name(f".{ptr.name}.swap-{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(directory.name if directory.parent == ptr.parent else str(directory), tmp)
    if ptr.exists() and not ptr.is_symlink():  # an index directory made by hand: move it aside
        ptr.rename(ptr.with_name(f"{ptr.name}-moved-{int(time.time())}"))
    os.replace(tmp, ptr)
    _fsync_dir(ptr.parent)
    return previous


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def old_dirs(ptr: Path) -> list[Path]:
    """Index directories beside the pointer that it no longer names."""
    current = current_dir(ptr)
    return [d for d in ptr.parent.glob(f"{ptr.name}-*") if d.is_dir() and d != current]


def remove_old(ptr: Path, older_than: float = 0.0) -> list[Path]:
    """Delete directories the pointer no longer names, once they are older_than seconds. Readers that
    still have one open keep reading their open files; a reader that opens one just as it goes retries
    with the new target."""
    removed = []
    now = time.time()
    for d in old_dirs(ptr):
        try:
            if now - d.stat().st_mtime >= older_than:
                shutil.rmtree(d)
                removed.append(d)
        except FileNotFoundError:
            continue
    return removed


class WriterLock:
    """An exclusive flock on index.lock: across processes and threads (each holder opens the file)."""

    def __init__(self, ptr: Path):
        self.path = lock_path(ptr)
        self.fd: int | None = None

    def acquire(self, timeout: float = 0.0, poll: float = 0.02) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(poll)
                continue
            self.fd = fd
            return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def open_for_writing(ptr: Path, collection: Collection = CONTRIBUTIONS) -> whoosh_index.Index:
    """The current index, created empty (with the collection's schema) if there is none. Call with the
    writer lock held."""
    d = current_dir(ptr)
    if d is None:
        d = new_dir(ptr)
        create(d, collection)
        swap(ptr, d)
    return whoosh_index.open_dir(str(d))
