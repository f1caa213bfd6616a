"""Query evaluation over the Whoosh index, fast enough for a faceted search page.

Whoosh parses the query (phrases, AND/OR/NOT, prefix*) with the analysers of `analysis`, and its
segments hold the postings, lengths, columns and stored fields. Whoosh's own matchers walk the
query tree one document at a time in Python, once per field of every word, which is several times
slower for a faceted page (benchmarks/RESULTS.md). Here the tree is evaluated with sets instead:

* each term's postings are read once through the term's matcher (then kept in a bounded LRU cache:
  a segment never changes, only its deletion set does) as a dict {docnum: term frequency};
* AND/OR/NOT are set intersections/unions/differences (C speed), the facet filters are the
  postings sets of their terms, deleted documents are subtracted;
* BM25F scores (Whoosh's formula and parameters) are computed only for the documents that match,
  with the field lengths of those documents (kept per segment once read);
* facet counts come from per-segment arrays of each document's values, counted over the match set
  (no second query), and paging picks the top n with a heap;
* phrases are checked with Whoosh's own phrase matcher (positions), per segment.

The engine serves every collection (collection.py) alike: what it needs of a layout it reads from the
index's own schema. A facet is single-valued when its field is an ID with a column (its values are read
from the column) and multi-valued when it is a KEYWORD field (its values are read from its postings);
sorting needs the ``published`` column, and sorting by title a ``title_key`` column.

One `Context` per index generation and process, shared by the request threads and replaced when the
index changes (a drain committed, or reindex swapped the directory); whoosh readers are not
thread-safe, so every read from them holds the context's lock (the work on sets does not).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from itertools import chain
from math import log
from operator import itemgetter
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import KEYWORD
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.reading import TermNotFound

from portal.search import analysis as a
from portal.search import store
from portal.search.schema import STEMMED

log_ = logging.getLogger("portal.search")

K1, B = 1.2, 0.75  # whoosh.scoring.BM25F defaults
MAX_EXPANSIONS = 64  # terms a prefix may stand for, per field (the most frequent ones)...
MAX_SCANNED = 500  # ...among the first terms of the dictionary that start with it,
MAX_GROUP_EXPANSIONS = 128  # and at most this many over all the fields of one word*, per segment
_NULL = type(Q.NullQuery)


def is_null(node) -> bool:
    """Whether a parsed query matches nothing (Whoosh's NullQuery: no words left after analysis)."""
    return isinstance(node, _NULL)


class QueryTooBroad(Exception):
    """A prefix too short to search for."""


# --- Caches shared by the contexts of one process ----------------------------------------------------


class _LRU:
    """Term postings, bounded by the number of postings held."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            v = self.data.get(key)
            if v is not None:
                self.data.move_to_end(key)
            return v

    def put(self, key, value: dict) -> None:
        n = len(value) + 1
        if n > self.limit // 4:
            return
        with self.lock:
            if key in self.data:
                return
            self.data[key] = value
            self.size += n
            while self.size > self.limit and self.data:
                _, old = self.data.popitem(last=False)
                self.size -= len(old) + 1

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.size = 0


_postings = _LRU(1_000_000)
_segment_data: dict = {}  # (dir, segid, what) -> field lengths, facet arrays, published column
_segment_lock = threading.Lock()


def configure_cache(limit: int) -> None:
    _postings.limit = limit


# --- Contexts ----------------------------------------------------------------------------------------


class Leaf:
    def __init__(self, ctx: Context, searcher, offset: int):
        self.ctx = ctx
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self.segid = self.reader.segment().segment_id()
        self.n = self.reader.doc_count_all()
        self.deleted = self.reader.deleted_docs_set
        self._live: set[int] | None = None

    @property
    def live(self) -> set[int]:
        if self._live is None:
            self._live = set(range(self.n)) - self.deleted
        return self._live

    def key(self, what) -> tuple:
        return (self.ctx.directory, self.segid, what)


class Context:
    """An open index generation. Threads take a reference for one search and give it back."""

    def __init__(self, directory: Path):
        self.directory = str(directory)
        self.ix = whoosh_index.open_dir(self.directory)
        self.generation = self.ix.latest_generation()
        self.searcher = self.ix.searcher()
        self.schema = self.ix.schema
        # Facets with several values per document (KEYWORD fields); the others are columns.
        self.multi_valued = frozenset(name for name, f in self.schema.items() if isinstance(f, KEYWORD))
        self.lock = threading.RLock()
        self.refs = 0
        self.retired = False
        self.doc_count_all = self.searcher.doc_count_all()
        self.doc_count = self.searcher.doc_count()
        self.leaves = [Leaf(self, s, off) for s, off in self.searcher.leaf_searchers()
                       if s.reader().doc_count_all() and s.reader().segment() is not None]
        self._avg: dict[str, float] = {}
        self._idf: dict[tuple, float] = {}
        self.checked = time.monotonic()

    def close(self) -> None:
        try:
            self.searcher.close()
        except Exception:  # noqa: BLE001 - closing twice or a reader already gone
            log_.debug("closing a searcher", exc_info=True)

    def avg_length(self, fieldname: str) -> float:
        v = self._avg.get(fieldname)
        if v is None:
            with self.lock:
                total = sum(leaf.reader.field_length(fieldname) for leaf in self.leaves)
            v = self._avg[fieldname] = (total / self.doc_count_all) if self.doc_count_all else 1.0
        return v or 1.0

    def idf(self, fieldname: str, text: str) -> float:
        """whoosh.scoring.WeightingModel.idf over the whole index."""
        k = (fieldname, text)
        v = self._idf.get(k)
        if v is None:
            with self.lock:
                df = self.searcher.doc_frequency(fieldname, text)
            v = self._idf[k] = log(self.doc_count_all / (df + 1)) + 1
        return v


class Manager:
    """The process's current context, reopened when the pointer or the generation changes (checked at
    most every `refresh_seconds`, and at once after this process committed)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.current: Context | None = None
        self.current_ptr: str | None = None
        self.dirty = False

    def invalidate(self) -> None:
        self.dirty = True

    def acquire(self, ptr: Path, refresh_seconds: float) -> Context | None:
        with self.lock:
            ctx = self.current
            now = time.monotonic()
            if (ctx is None or self.dirty or self.current_ptr != str(ptr)
                    or now - ctx.checked >= refresh_seconds):
                ctx = self._fresh(ptr, ctx)
            if ctx is not None:
                ctx.refs += 1
            return ctx

    def release(self, ctx: Context) -> None:
        with self.lock:
            ctx.refs -= 1
            if ctx.retired and ctx.refs <= 0:
                ctx.close()

    def _fresh(self, ptr: Path, ctx: Context | None) -> Context | None:
        self.dirty = False
        for attempt in range(3):
            directory = store.current_dir(ptr)
            if directory is None:
                self._retire(None)
                self.current_ptr = str(ptr)
                return None
            try:
                # (The open index lists its directory's files: no second read of the table of contents.)
                if ctx is not None and ctx.directory == str(directory) and \
                        ctx.ix.latest_generation() == ctx.generation:
                    ctx.checked = time.monotonic()
                    return ctx
                new = Context(directory)
            except (OSError, whoosh_index.EmptyIndexError):  # swapped and removed meanwhile: look again
                if attempt == 2:
                    raise
                time.sleep(0.01)
                continue
            self._retire(new)
            self.current_ptr = str(ptr)
            return new
        return None  # pragma: no cover

    def _retire(self, new: Context | None) -> None:
        old = self.current
        self.current = new
        if old is not None and old is not new:
            old.retired = True
            if old.refs <= 0:
                old.close()
            live = {(leaf.ctx.directory, leaf.segid) for leaf in (new.leaves if new else [])}
            mine = {old.directory} | ({new.directory} if new else set())
            with _segment_lock:
                for k in [k for k in _segment_data if k[0] in mine and (k[0], k[1]) not in live]:
                    del _segment_data[k]


_managers: dict[str, Manager] = {}
_managers_lock = threading.Lock()


def manager_for(ptr: Path) -> Manager:
    key = str(ptr)
    with _managers_lock:
        m = _managers.get(key)
        if m is None:
            m = _managers[key] = Manager()
        return m


# --- Reading postings and per-segment data --------------------------------------------------------------


def _leaf_matcher(leaf: Leaf, fieldname: str, text: str):
    """The term's matcher over all the segment's documents, deleted ones included (the reader wraps
    it in a filter of the deleted documents when there are some), or None."""
    try:
        m = leaf.reader.postings(fieldname, text)
    except TermNotFound:
        return None
    while isinstance(m, WrappingMatcher):
        m = m.child
    return m


def postings(leaf: Leaf, fieldname: str, text: str) -> dict[int, float]:
    """{local docnum: term frequency} of one term in one segment (deleted documents included: the
    cache outlives a deletion, which only changes the segment's deletion set)."""
    key = (leaf.ctx.directory, leaf.segid, fieldname, text)
    got = _postings.get(key)
    if got is not None:
        return got
    out: dict[int, float] = {}
    with leaf.ctx.lock:
        m = _leaf_matcher(leaf, fieldname, text)
        if m is not None:
            _read_postings(m, out)
    _postings.put(key, out)
    return out


_ONE = 1.0  # one float object for the most common frequency


def _read_postings(m, out: dict[int, float]) -> None:
    """Every (docnum, weight) of a leaf matcher into out, a block at a time: a block whose highest
    weight is 1 holds only weights of 1, which need not be read one by one."""
    is_active, docnum, weight, advance = m.is_active, m.id, m.weight, m.next
    block_last, block_max_weight = m.block_max_id, m.block_max_weight
    while is_active():
        last = block_last()
        if block_max_weight() == 1.0:
            while True:
                d = docnum()
                out[d] = _ONE
                advance()
                if d == last:
                    break
        else:
            while True:
                d = docnum()
                out[d] = weight()
                advance()
                if d == last:
                    break


def _segment(leaf: Leaf, what: str, build):
    k = leaf.key(what)
    v = _segment_data.get(k)
    if v is None:
        with leaf.ctx.lock:
            v = build()
        with _segment_lock:
            _segment_data[k] = v
    return v


def lengths(leaf: Leaf, fieldname: str, docnums: set[int]) -> dict[int, int]:
    """The field's length (Whoosh's quantised length) in each of these documents: a dict per segment
    and field that keeps every length read, since a segment never changes."""
    known = _segment(leaf, "len:" + fieldname, dict)
    missing = docnums.difference(known)
    if missing:
        with leaf.ctx.lock:
            length = leaf.reader.doc_field_length
            known.update((d, length(d, fieldname) or 0) for d in missing)
    return known


def published(leaf: Leaf) -> list[int]:
    return _segment(leaf, "published", lambda: list(leaf.reader.column_reader("published", translate=False)))


def doc_ids(leaf: Leaf) -> list[str]:
    return _segment(leaf, "id", lambda: list(leaf.reader.column_reader("id", translate=True)))


def stamps(leaf: Leaf) -> list[str]:
    return _segment(leaf, "stamp", lambda: list(leaf.reader.column_reader("stamp", translate=True)))


def title_keys(leaf: Leaf) -> list[bytes]:
    return _segment(leaf, "title_key", lambda: list(leaf.reader.column_reader("title_key", translate=False)))


def facet_values(leaf: Leaf, facet: str) -> list:
    """Single-valued facets: the value of each document ('' if none). Multi-valued: a tuple."""
    if facet not in leaf.ctx.multi_valued:
        return _segment(leaf, "facet:" + facet,
                        lambda: list(leaf.reader.column_reader(facet, translate=True)))

    def build():
        lists: list = [()] * leaf.n
        for term in leaf.reader.lexicon(facet):
            value = term.decode("utf-8")
            for d in _leaf_matcher(leaf, facet, value).all_ids():
                lists[d] = lists[d] + (value,)
        return lists
    return _segment(leaf, "facet:" + facet, build)


def facet_set(leaf: Leaf, facet: str, value: str) -> set[int]:
    return postings(leaf, facet, value).keys() - leaf.deleted


# --- Query evaluation ------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What one query needs: the parsed tree, the terms that score, the words to highlight."""

    query: Q.Query | None
    scoring: list[tuple[str, str, float]] = field(default_factory=list)  # (field, text, boost)
    highlight: dict[str, set[str]] = field(default_factory=dict)  # kind -> terms
    prefixes: set[str] = field(default_factory=set)  # folded prefixes, for highlighting
    phrases: list[str] = field(default_factory=list)  # CJK runs, for highlighting
    scored: bool = False  # something to rank by (otherwise: by date)


def _kind(fieldname: str) -> str:
    return fieldname.split("_", 1)[1]


def plan(query: Q.Query | None) -> Plan:
    p = Plan(query=query)
    if query is None:
        return p

    def walk(node, positive: bool):
        if isinstance(node, Q.Term):
            if positive:
                p.scoring.append((node.fieldname, node.text, node.boost))
                p.highlight.setdefault(_kind(node.fieldname), set()).add(node.text)
        elif isinstance(node, Q.Phrase):
            if positive:
                for w in node.words:
                    p.scoring.append((node.fieldname, w, node.boost))
                    p.highlight.setdefault(_kind(node.fieldname), set()).add(w)
        elif isinstance(node, (Q.Prefix, Q.Wildcard)):
            if positive:
                p.scored = True
                if _kind(node.fieldname) == a.FOLDED:
                    p.prefixes.add(a.fold(node.text))
        elif isinstance(node, Q.Not):
            walk(node.query, not positive)
        elif isinstance(node, Q.AndNot):
            walk(node.a, positive)
            walk(node.b, not positive)
        elif isinstance(node, (Q.AndMaybe, Q.Require)):
            walk(node.a, positive)
            walk(node.b, positive)
        elif hasattr(node, "subqueries"):
            for sub in node.subqueries:
                walk(sub, positive)
    walk(query, True)
    p.scored = p.scored or bool(p.scoring)
    return p


def _prefix_terms(leaf: Leaf, fieldname: str, prefix: str) -> list[tuple[str, int]]:
    """Terms of a field that a folded prefix stands for: those that start with it and, in a stemmed
    field, the stems the prefix itself was cut to ('informati*' -> 'inform'). The most frequent first,
    at most MAX_EXPANSIONS."""
    kind = _kind(fieldname)
    if kind == "zh":
        return []
    if kind in STEMMED:
        script = a.LANGUAGE_SCRIPTS[kind]
        if not a.SCRIPT_WORDS[script].fullmatch(prefix):
            return []
    found: dict[str, int] = {}
    with leaf.ctx.lock:
        r = leaf.reader
        for i, (t, info) in enumerate(r.iter_prefix(fieldname, prefix)):
            if i >= MAX_SCANNED:
                break
            found[t.decode("utf-8") if isinstance(t, bytes) else t] = info.doc_frequency()
        if kind in STEMMED:
            for k in range(max(3, len(prefix) - 3), len(prefix)):
                stem = prefix[:k]
                if (fieldname, stem) in r:
                    found[stem] = r.doc_frequency(fieldname, stem)
    return sorted(found.items(), key=lambda kv: -kv[1])[:MAX_EXPANSIONS]


def evaluate(node, leaf: Leaf, p: Plan) -> set[int]:
    """The set of (possibly deleted) local docnums matching node."""
    if node is None or isinstance(node, Q.Every):
        return leaf.live
    if isinstance(node, Q.Term):
        return postings(leaf, node.fieldname, node.text).keys()
    if isinstance(node, Q.And):
        subs = [s for s in node.subqueries if not is_null(s)]
        result = None
        for s in subs:
            got = evaluate(s, leaf, p)
            result = set(got) if result is None else result & got
            if not result:
                return set()
        return result if result is not None else set()
    if isinstance(node, Q.Or):
        if node.subqueries and all(isinstance(s, (Q.Prefix, Q.Wildcard)) for s in node.subqueries):
            return _prefix_group(node.subqueries, leaf, p)
        result: set[int] = set()
        for s in node.subqueries:
            result |= evaluate(s, leaf, p)
        return result
    if isinstance(node, Q.AndNot):
        return set(evaluate(node.a, leaf, p)) - evaluate(node.b, leaf, p)
    if isinstance(node, Q.Not):
        return leaf.live - evaluate(node.query, leaf, p)
    if isinstance(node, Q.AndMaybe):
        return evaluate(node.a, leaf, p)
    if isinstance(node, Q.Require):
        return set(evaluate(node.a, leaf, p)) & evaluate(node.b, leaf, p)
    if isinstance(node, (Q.Prefix, Q.Wildcard)):
        return _prefix_group([node], leaf, p)
    if isinstance(node, Q.Phrase):
        return _whoosh_matches(node, leaf)
    if is_null(node):
        return set()
    return _whoosh_matches(node, leaf)


def _prefix_group(nodes, leaf: Leaf, p: Plan) -> set[int]:
    """One word* over every field: the prefix is taken from the folded field (the other fields got a
    stemmed form of it) and looked up in each field."""
    folded = next((n.text for n in nodes if _kind(n.fieldname) == a.FOLDED), nodes[0].text)
    prefix = a.fold(folded.rstrip("*?"))
    if len(prefix) < 2:
        raise QueryTooBroad(prefix)
    expansions = [(df, n, t) for n in nodes for t, df in _prefix_terms(leaf, n.fieldname, prefix)]
    expansions.sort(key=lambda e: -e[0])
    result: set[int] = set()
    for _, n, t in expansions[:MAX_GROUP_EXPANSIONS]:
        result |= postings(leaf, n.fieldname, t).keys()
        p.scoring.append((n.fieldname, t, n.boost))
        p.highlight.setdefault(_kind(n.fieldname), set()).add(t)
    return result


def _whoosh_matches(node, leaf: Leaf) -> set[int]:
    """Whoosh's own matcher for what sets cannot check (phrases: word positions)."""
    with leaf.ctx.lock:
        m = node.matcher(leaf.searcher)
        return set(m.all_ids()) if m.is_active() else set()


# --- Searching ---------------------------------------------------------------------------------------------


@dataclass
class Hit:
    docnum: int
    score: float
    fields: dict


@dataclass
class Outcome:
    total: int
    hits: list[Hit]
    facets: dict[str, Counter]


def search(ctx: Context, p: Plan, filters: dict[str, str], *, sort: str, offset: int, limit: int,
           facets=()) -> Outcome:
    """The documents matching the plan and every filter (facet: value), counted, with the facets'
    counts over them and one page of them: by score ("relevance", when the query has words to rank
    by), else by the published column ("newest", "oldest") or by the title_key column ("title")."""
    counts: dict[str, Counter] = {f: Counter() for f in facets}
    multi = ctx.multi_valued
    candidates: list[tuple] = []
    total = 0
    k = offset + limit
    relevance = sort == "relevance" and p.scored
    for leaf in ctx.leaves:
        matched = evaluate(p.query, leaf, p) if p.query is not None else leaf.live
        if not isinstance(matched, set):
            matched = set(matched)
        if leaf.deleted and matched is not leaf.live:
            matched -= leaf.deleted
        for facet, value in filters.items():
            if not matched:
                break
            matched = matched & facet_set(leaf, facet, value)
        if not matched:
            continue
        total += len(matched)
        for f in facets:
            values = facet_values(leaf, f)
            if f in multi:
                counts[f].update(chain.from_iterable(map(values.__getitem__, matched)))
            else:
                counts[f].update(map(values.__getitem__, matched))
        if relevance:
            scores = _scores(ctx, leaf, p, matched)
            top = heapq.nlargest(k, scores.items(), key=itemgetter(1))
            candidates.extend((s, -(leaf.offset + d), leaf, d) for d, s in top)
        elif sort == "title":
            keys = title_keys(leaf)
            top = heapq.nsmallest(k, matched, key=keys.__getitem__)
            candidates.extend((keys[d], leaf.offset + d, leaf, d) for d in top)
        else:
            dates = published(leaf)
            if sort == "oldest":
                top = heapq.nsmallest(k, matched, key=dates.__getitem__)
                candidates.extend((-dates[d], -(leaf.offset + d), leaf, d) for d in top)
            else:
                top = heapq.nlargest(k, matched, key=dates.__getitem__)
                candidates.extend((dates[d], leaf.offset + d, leaf, d) for d in top)
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=sort != "title")
    page = candidates[offset:k]
    hits = []
    for score, _, leaf, d in page:
        with ctx.lock:
            stored = leaf.reader.stored_fields(d)
        hits.append(Hit(docnum=leaf.offset + d, score=0.0 if sort == "title" else float(score), fields=stored))
    for f in facets:
        counts[f].pop("", None)
        counts[f].pop(None, None)
    return Outcome(total=total, hits=hits, facets=counts)


def _scores(ctx: Context, leaf: Leaf, p: Plan, matched: set[int]) -> dict[int, float]:
    scores = dict.fromkeys(matched, 0.0)
    seen = set()
    for fieldname, text, boost in p.scoring:
        key = (fieldname, text)
        if key in seen:
            continue
        seen.add(key)
        tf = postings(leaf, fieldname, text)
        if not tf:
            continue
        common = matched & tf.keys() if len(matched) < len(tf) else tf.keys() & matched
        if not common:
            continue
        c = boost * ctx.idf(fieldname, text) * (K1 + 1)
        base, per = K1 * (1 - B), K1 * B / ctx.avg_length(fieldname)
        lens = lengths(leaf, fieldname, common)
        for d in common:
            f = tf[d]
            scores[d] += c * f / (f + base + per * lens[d])
    return scores
