"""What is rendered from a published version of a programme (the public page's days, the iCalendar
files), kept in each worker process.

A published version never changes (a new publication is a new version), so an entry is keyed by the
version and by everything else it is rendered from (the meeting's title and time zone, the language,
whether online links are shown, which statement texts are published), and is never stale: a change
makes a new key and the old entry ages out. Entries live in the application's own store, so two
applications in one process (the tests) never share one. PROGRAMME_CACHE_ENTRIES = 0 turns it off."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")
_lock = threading.Lock()


def _store() -> OrderedDict:
    with _lock:
        return current_app.extensions.setdefault("portal.programme_rendered", OrderedDict())


def cached(key: tuple, render: Callable[[], T]) -> T:
    limit = current_app.config.get("PROGRAMME_CACHE_ENTRIES", 64)
    if limit <= 0:
        return render()
    store = _store()
    with _lock:
        if key in store:
            store.move_to_end(key)
            return store[key]
    value = render()
    with _lock:
        store[key] = value
        while len(store) > limit:
            store.popitem(last=False)
    return value
