"""Query evaluation over the Whoosh index, fast enough for a faceted search page.

Whoosh parses the query (phrases, AND/OR/NOT, prefix*) with the analysers of `analysis`, and its
segments hold the postings, lengths, columns and stored fields. Whoosh's own matchers walk the
query tree one document at a time in Python, once per field of every word, which is several times
slower for a faceted page (benchmarks/RESULTS.md). Here the tree is evaluated over whole segments
with numpy arrays instead:

* each term's postings are read once through the term's matcher (then kept in a bounded LRU cache:
  a segment never changes, only its deletion set does) as two arrays, docnums and term frequencies,
  8 bytes a posting;
* a node's matches are a boolean mask over the segment's documents: AND/OR/NOT are &, |, ~, the
  facet filters the masks of their terms, deleted documents are masked out;
* BM25F scores (Whoosh's formula and parameters) are computed for the matching documents only, a
  term at a time as array arithmetic, with the field lengths of those documents (read from Whoosh as
  documents need them and kept per segment);
* facet counts are one bincount per facet over a per-segment table of (document, value) pairs (no
  second query), and paging picks the top n by partition, ties by docnum;
* phrases are checked with Whoosh's own phrase matcher (positions), per segment.

The engine serves every collection (collection.py) alike: what it needs of a layout it reads from the
index's own schema. A facet is single-valued when its field is an ID with a column (its values are read
from the column) and multi-valued when it is a KEYWORD field (its values are read from its postings);
sorting needs the ``published`` column, and sorting by title a ``title_key`` column.

One `Context` per index generation and process, shared by the request threads and replaced when the
index changes (a drain committed, or reindex swapped the directory); whoosh readers are not
thread-safe, so every read from them holds the context's lock (the work on arrays does not).
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from math import log
from pathlib import Path

import numpy as np
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

    def put(self, key, value: tuple[np.ndarray, np.ndarray]) -> None:
        n = len(value[0]) + 1
        if n > self.limit // 4:
            return
        with self.lock:
            if key in self.data:
                return
            self.data[key] = value
            self.size += n
            while self.size > self.limit and self.data:
                _, old = self.data.popitem(last=False)
                self.size -= len(old[0]) + 1

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
        self._live: np.ndarray | None = None

    @property
    def live(self) -> np.ndarray:
        """A mask of the segment's documents that are not deleted (read-only: never changed in place)."""
        if self._live is None:
            live = np.ones(self.n, dtype=bool)
            if self.deleted:
                live[np.fromiter(self.deleted, dtype=np.int64, count=len(self.deleted))] = False
            live.flags.writeable = False
            self._live = live
        return self._live

    def key(self, what) -> tuple:
        return (self.ctx.directory, self.segid, what)

    def mask(self, docnums: np.ndarray) -> np.ndarray:
        """A mask of the segment's documents with these docnums."""
        m = np.zeros(self.n, dtype=bool)
        m[docnums] = True
        return m


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


_NONE = (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))


def postings(leaf: Leaf, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, term frequencies) of one term in one segment, as two arrays in docnum order (deleted
    documents included: the cache outlives a deletion, which only changes the segment's deletion set)."""
    key = (leaf.ctx.directory, leaf.segid, fieldname, text)
    got = _postings.get(key)
    if got is not None:
        return got
    with leaf.ctx.lock:
        m = _leaf_matcher(leaf, fieldname, text)
        out = _read_postings(m) if m is not None else _NONE
    _postings.put(key, out)
    return out


def _read_postings(m) -> tuple[np.ndarray, np.ndarray]:
    """Every (docnum, weight) of a leaf matcher, a block at a time: a block whose highest weight is 1
    holds only weights of 1, which need not be read one by one."""
    docs, weights = array("i"), array("f")
    add_doc, add_weight = docs.append, weights.append
    is_active, docnum, weight, advance = m.is_active, m.id, m.weight, m.next
    block_last, block_max_weight = m.block_max_id, m.block_max_weight
    while is_active():
        last = block_last()
        if block_max_weight() == 1.0:
            start = len(docs)
            while True:
                d = docnum()
                add_doc(d)
                advance()
                if d == last:
                    break
            weights.extend(array("f", [1.0]) * (len(docs) - start))
        else:
            while True:
                d = docnum()
                add_doc(d)
                add_weight(weight())
                advance()
                if d == last:
                    break
    return np.frombuffer(docs, dtype=np.int32), np.frombuffer(weights, dtype=np.float32)


def _segment(leaf: Leaf, what: str, build):
    k = leaf.key(what)
    v = _segment_data.get(k)
    if v is None:
        with leaf.ctx.lock:
            v = build()
        with _segment_lock:
            _segment_data[k] = v
    return v


def lengths(leaf: Leaf, fieldname: str, docnums: np.ndarray) -> np.ndarray:
    """The field's length (Whoosh's quantised length) in each of these documents. Lengths are read as
    documents need them and kept per segment and field (a segment never changes; -1: not read yet)."""
    known = _segment(leaf, "len:" + fieldname, lambda: np.full(leaf.n, -1, dtype=np.int64))
    missing = docnums[known[docnums] < 0]
    if len(missing):
        with leaf.ctx.lock:
            length = leaf.reader.doc_field_length
            known[missing] = [length(int(d), fieldname) or 0 for d in missing]
    return known[docnums]


def published(leaf: Leaf) -> np.ndarray:
    return _segment(leaf, "published", lambda: np.fromiter(
        leaf.reader.column_reader("published", translate=False), dtype=np.int64, count=leaf.n))


def doc_ids(leaf: Leaf) -> list[str]:
    return _segment(leaf, "id", lambda: list(leaf.reader.column_reader("id", translate=True)))


def stamps(leaf: Leaf) -> list[str]:
    return _segment(leaf, "stamp", lambda: list(leaf.reader.column_reader("stamp", translate=True)))


def title_keys(leaf: Leaf) -> list[bytes]:
    return _segment(leaf, "title_key", lambda: list(leaf.reader.column_reader("title_key", translate=False)))


def title_ranks(leaf: Leaf) -> np.ndarray:
    """Each document's place in the segment by title key (ties by docnum)."""
    def build():
        keys = title_keys(leaf)
        ranks = np.empty(leaf.n, dtype=np.int64)
        ranks[sorted(range(leaf.n), key=keys.__getitem__)] = np.arange(leaf.n)
        return ranks
    return _segment(leaf, "title_rank", build)


@dataclass
class FacetTable:
    """A facet's values in one segment: `names[i]` is value i; a document has value `codes[j]` when
    `docs[j]` is its docnum (one pair per document and value; a document without a value has none)."""

    names: list[str]
    docs: np.ndarray
    codes: np.ndarray

    def count(self, matched: np.ndarray) -> dict[str, int]:
        """{value: number of the matched documents that have it}, values with none left out."""
        counts = np.bincount(self.codes[matched[self.docs]], minlength=len(self.names))
        return {self.names[i]: int(counts[i]) for i in np.flatnonzero(counts)}


def facet_table(leaf: Leaf, facet: str) -> FacetTable:
    """Single-valued facets are read from their column ('' and None are no value), multi-valued ones
    (KEYWORD fields) from the postings of each of their terms."""
    def build():
        if facet not in leaf.ctx.multi_valued:
            index: dict[str, int] = {}
            per_doc = np.array([index.setdefault(v, len(index)) if v not in ("", None) else -1
                                for v in leaf.reader.column_reader(facet, translate=True)], dtype=np.int32)
            has = np.flatnonzero(per_doc >= 0).astype(np.int32)
            return FacetTable(names=list(index), docs=has, codes=per_doc[has])
        names: list[str] = []
        docs: list[np.ndarray] = [np.empty(0, dtype=np.int32)]
        codes: list[np.ndarray] = [np.empty(0, dtype=np.int32)]
        for term in leaf.reader.lexicon(facet):
            names.append(term.decode("utf-8"))
            ids = np.fromiter(_leaf_matcher(leaf, facet, names[-1]).all_ids(), dtype=np.int32)
            docs.append(ids)
            codes.append(np.full(len(ids), len(names) - 1, dtype=np.int32))
        return FacetTable(names=names, docs=np.concatenate(docs), codes=np.concatenate(codes))
    return _segment(leaf, "facet:" + facet, build)


def facet_set(leaf: Leaf, facet: str, value: str) -> np.ndarray:
    """A mask of the segment's documents with this facet value (deleted ones included)."""
    return leaf.mask(postings(leaf, facet, value)[0])


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


def evaluate(node, leaf: Leaf, p: Plan) -> np.ndarray:
    """A mask of the (possibly deleted) documents of the segment matching node. (It may be the
    segment's shared mask of live documents: a caller never changes the result in place.)"""
    if node is None or isinstance(node, Q.Every):
        return leaf.live
    if isinstance(node, Q.Term):
        return leaf.mask(postings(leaf, node.fieldname, node.text)[0])
    if isinstance(node, Q.And):
        result = None
        for s in node.subqueries:
            if is_null(s):
                continue
            got = evaluate(s, leaf, p)
            result = got if result is None else result & got
            if not result.any():
                return _nothing(leaf)
        return result if result is not None else _nothing(leaf)
    if isinstance(node, Q.Or):
        if node.subqueries and all(isinstance(s, (Q.Prefix, Q.Wildcard)) for s in node.subqueries):
            return _prefix_group(node.subqueries, leaf, p)
        result = _nothing(leaf)
        for s in node.subqueries:
            result = result | evaluate(s, leaf, p)
        return result
    if isinstance(node, Q.AndNot):
        return evaluate(node.a, leaf, p) & ~evaluate(node.b, leaf, p)
    if isinstance(node, Q.Not):
        return leaf.live & ~evaluate(node.query, leaf, p)
    if isinstance(node, Q.AndMaybe):
        return evaluate(node.a, leaf, p)
    if isinstance(node, Q.Require):
        return evaluate(node.a, leaf, p) & evaluate(node.b, leaf, p)
    if isinstance(node, (Q.Prefix, Q.Wildcard)):
        return _prefix_group([node], leaf, p)
    if isinstance(node, Q.Phrase):
        return _whoosh_matches(node, leaf)
    if is_null(node):
        return _nothing(leaf)
    return _whoosh_matches(node, leaf)


def _nothing(leaf: Leaf) -> np.ndarray:
    return np.zeros(leaf.n, dtype=bool)


def _prefix_group(nodes, leaf: Leaf, p: Plan) -> np.ndarray:
    """One word* over every field: the prefix is taken from the folded field (the other fields got a
    stemmed form of it) and looked up in each field."""
    folded = next((n.text for n in nodes if _kind(n.fieldname) == a.FOLDED), nodes[0].text)
    prefix = a.fold(folded.rstrip("*?"))
    if len(prefix) < 2:
        raise QueryTooBroad(prefix)
    expansions = [(df, n, t) for n in nodes for t, df in _prefix_terms(leaf, n.fieldname, prefix)]
    expansions.sort(key=lambda e: -e[0])
    result = _nothing(leaf)
    for _, n, t in expansions[:MAX_GROUP_EXPANSIONS]:
        result[postings(leaf, n.fieldname, t)[0]] = True
        p.scoring.append((n.fieldname, t, n.boost))
        p.highlight.setdefault(_kind(n.fieldname), set()).add(t)
    return result


def _whoosh_matches(node, leaf: Leaf) -> np.ndarray:
    """Whoosh's own matcher for what sets cannot check (phrases: word positions)."""
    with leaf.ctx.lock:
        m = node.matcher(leaf.searcher)
        ids = list(m.all_ids()) if m.is_active() else []
    return leaf.mask(np.array(ids, dtype=np.int64))


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
    candidates: list[tuple] = []
    total = 0
    k = offset + limit
    relevance = sort == "relevance" and p.scored
    for leaf in ctx.leaves:
        matched = evaluate(p.query, leaf, p) if p.query is not None else leaf.live
        if leaf.deleted and matched is not leaf.live:
            matched = matched & leaf.live
        for facet, value in filters.items():
            matched = matched & facet_set(leaf, facet, value)
        found = np.flatnonzero(matched)
        if not len(found):
            continue
        total += len(found)
        for f in facets:
            counts[f].update(facet_table(leaf, f).count(matched))
        if relevance:
            scores = _scores(ctx, leaf, p, matched)[found]
            order = _top(found, scores, k)  # ties: the lower docnum first
            candidates.extend((float(scores[i]), -(leaf.offset + int(found[i])), leaf, int(found[i]))
                              for i in order)
        elif sort == "title":
            ranks = title_ranks(leaf)[found]
            order = np.argsort(ranks, kind="stable")[:k]
            keys = title_keys(leaf)
            candidates.extend((keys[d], leaf.offset + d, leaf, d) for d in map(int, found[order]))
        else:
            dates = published(leaf)[found]
            if sort == "oldest":
                order = _top(found, -dates, k)
                candidates.extend((-int(dates[i]), -(leaf.offset + int(found[i])), leaf, int(found[i]))
                                  for i in order)
            else:
                order = _top(found, dates, k, ties_high=True)
                candidates.extend((int(dates[i]), leaf.offset + int(found[i]), leaf, int(found[i]))
                                  for i in order)
    candidates.sort(key=lambda c: (c[0], c[1]), reverse=sort != "title")
    page = candidates[offset:k]
    hits = []
    for score, _, leaf, d in page:
        with ctx.lock:
            stored = leaf.reader.stored_fields(d)
        hits.append(Hit(docnum=leaf.offset + d, score=0.0 if sort == "title" else float(score), fields=stored))
    return Outcome(total=total, hits=hits, facets=counts)


def _top(docnums: np.ndarray, values: np.ndarray, k: int, *, ties_high: bool = False) -> np.ndarray:
    """The positions of the k highest values, best first; equal values by docnum (the lower first, or
    with ties_high the higher)."""
    if len(values) > k:
        threshold = np.partition(values, len(values) - k)[len(values) - k]
        keep = np.flatnonzero(values >= threshold)  # the k best, and any equal to the k-th
    else:
        keep = np.arange(len(values))
    tie = docnums[keep] if ties_high else -docnums[keep].astype(np.int64)
    order = np.lexsort((tie, values[keep]))[::-1]  # by value, then by tie, both descending
    return keep[order[:k]]


def _scores(ctx: Context, leaf: Leaf, p: Plan, matched: np.ndarray) -> np.ndarray:
    """BM25F scores of the segment's matched documents (an array over the segment; 0 elsewhere)."""
    scores = np.zeros(leaf.n, dtype=np.float64)
    seen = set()
    for fieldname, text, boost in p.scoring:
        key = (fieldname, text)
        if key in seen:
            continue
        seen.add(key)
        docs, tf = postings(leaf, fieldname, text)
        if not len(docs):
            continue
        hit = matched[docs]
        common = docs[hit]
        if not len(common):
            continue
        f = tf[hit].astype(np.float64)
        c = boost * ctx.idf(fieldname, text) * (K1 + 1)
        base, per = K1 * (1 - B), K1 * B / ctx.avg_length(fieldname)
        lens = lengths(leaf, fieldname, common)
        scores[common] += c * f / (f + base + per * lens)
    return scores
