"""Token streams for the bulk build: what each text field of a segment's documents holds, as term ids,
turned into posting lists by numpy once the segment is complete.

Whoosh (and `FastText.index`) groups a document's tokens by term in a dictionary and then appends each
term's posting to the segment's list of that term: several Python operations for every token and for
every posting, most of the build's time. Here a text is split at white space as in `schema`, and
each chunk looked up in a memo of the int32 ids of the terms it makes (`schema`'s analysis, so the
terms are the same); a text's tokens are the concatenation of those bytes. A field of a segment
keeps one stream: term ids, positions, and each document's token count. At the end, a stable sort
by term (the tokens came in document and position order) gives every posting list at once: each run
of one term in one document is a posting, its length the frequency, its positions the run.

`FieldStream.postings` returns the lists in the order Whoosh writes them (terms in code point
order), with each posting's position bytes encoded as `whoosh.formats.Positions` does.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pickle import dumps  # nosec B403 - encodes Whoosh's position lists; nothing is unpickled here

import numpy as np
from whoosh.system import pack_uint

from portal.search import analysis as a
from portal.search import schema as s


class _TermIds(dict):
    """term -> id, numbered in order of arrival; `terms[id]` is the term."""

    def __init__(self):
        super().__init__()
        self.terms: list[str] = []

    def __missing__(self, term: str) -> int:
        i = self[term] = len(self.terms)
        self.terms.append(term)
        return i


TERM_IDS = _TermIds()
_ID = TERM_IDS.__getitem__


def _pack(terms) -> tuple[bytes, int, int]:
    """Terms ("" where a StopFilter drops one) as (the kept terms' ids as int32 bytes, how many terms,
    how many dropped before the first kept)."""
    lead = 0 if not terms or terms[0] else next((i for i, t in enumerate(terms) if t), len(terms))
    return array("i", map(_ID, filter(None, terms))).tobytes(), len(terms), lead


_FOLDED_IDS = s._Memo(lambda chunk: _pack(s._FOLDED_CHUNKS.fn(chunk)))


def _language_ids_memo(lang: str) -> s._Memo:
    both = s._LANGUAGE_CHUNKS[lang].fn

    def packed(chunk: str) -> tuple:
        stemmed, folded = both(chunk)
        return _pack(stemmed) + _pack(folded)

    return s._Memo(packed)


_LANGUAGE_IDS = {lang: _language_ids_memo(lang) for lang in s.STEMMED}
_STEMMED = (itemgetter(0), 1, 2)
_FOLDED = (itemgetter(3), 4, 5)
_ONLY = (itemgetter(0), 1, 2)


def _run(values: list[tuple], which: tuple) -> tuple[int, bytes]:
    """(position of the first kept term, the ids of the kept terms) of a text's chunks."""
    get, total, lead = which
    ids = b"".join(map(get, values))
    if not ids:
        return 0, b""
    first = 0
    for v in values:
        if get(v):
            return first + v[lead], ids
        first += v[total]
    raise AssertionError("unreachable")  # pragma: no cover


def _ids(terms) -> bytes:
    return array("i", map(_ID, terms)).tobytes()


@lru_cache(maxsize=8)
def _language_ids(text: str, lang: str) -> tuple[tuple[int, bytes], tuple[int, bytes]]:
    """schema._language_terms as ids."""
    odd = s._NOT_WORD_CHARS[a.LANGUAGE_SCRIPTS[lang]]
    if odd is not None and odd.search(text):
        (f1, t1), (f2, t2) = s._language_terms(text, lang)
        return (f1, _ids(t1)), (f2, _ids(t2))
    values = list(map(_LANGUAGE_IDS[lang].__getitem__, s._chunks(text)))
    return _run(values, _STEMMED), _run(values, _FOLDED)


def _text_ids(kind: str, text: str, skip: str | None) -> tuple[int, bytes]:
    """schema._terms as ids."""
    if kind != a.FOLDED:
        return _language_ids(text, kind)[0]
    if skip is not None:
        return _language_ids(text, skip)[1]
    return _run(list(map(_FOLDED_IDS.__getitem__, s._chunks(text))), _ONLY)


def reset() -> None:
    """Forget every term id (at the end of a bulk build; the memos hold ids)."""
    _language_ids.cache_clear()
    _FOLDED_IDS.clear()
    for memo in _LANGUAGE_IDS.values():
        memo.clear()
    TERM_IDS.clear()
    TERM_IDS.terms.clear()


@dataclass
class Postings:
    """One field's posting lists: the postings of terms[i] are [starts[i], starts[i + 1])."""

    terms: list[str]
    starts: list[int]
    docnums: list[int]
    freqs: list[int]
    values: list[bytes]  # each posting's positions, encoded
    lengths: dict[int, int]  # docnum -> the field's length (tokens) in that document


class FieldStream:
    """The tokens that one segment's documents put into one FastText field, in order."""

    __slots__ = ("ids", "positions", "docs", "counts")

    def __init__(self):
        self.ids = bytearray()  # int32 term ids
        self.positions = array("i")
        self.docs = array("i")  # each document with tokens in this field, and how many
        self.counts = array("i")

    def add(self, docnum: int, field: s.FastText, value) -> int:
        """Add a document's value (as `FastText.positions` reads it); returns the field's length."""
        parts = ((None, value),) if isinstance(value, str) else value
        ids, positions = self.ids, self.positions
        before = len(positions)
        start = 0
        for skip, text in parts:
            if field.kind == "zh":
                at, terms = s.cjk_terms(text, start)
                if at:
                    ids += _ids(terms)
                    positions.extend(at)
                    start = at[-1] + 2
                continue
            first, found = _text_ids(field.kind, text, skip)
            if found:
                n = len(found) >> 2
                ids += found
                positions.extend(range(start + first, start + first + n))
                start += first + n + 1
        n = len(positions) - before
        if n:
            self.docs.append(docnum)
            self.counts.append(n)
        return n

    def postings(self) -> Postings:
        total = len(self.positions)
        if not total:
            return Postings([], [0], [], [], [], {})
        tids = np.frombuffer(self.ids, dtype=np.int32)
        pos = np.frombuffer(self.positions, dtype=np.int32)
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.int32), np.frombuffer(self.counts, dtype=np.int32))
        present = np.flatnonzero(np.bincount(tids))  # the ids in this field, in order
        terms = list(map(TERM_IDS.terms.__getitem__, present.tolist()))
        order = sorted(range(len(terms)), key=terms.__getitem__)  # code point order is UTF-8 byte order
        rank = np.empty(int(present[-1]) + 1, dtype=np.int32)
        rank[present[order]] = np.arange(len(order), dtype=np.int32)
        ranks = rank[tids]
        by_term = np.argsort(ranks, kind="stable")
        ranks, docs, pos = ranks[by_term], docs[by_term], pos[by_term]
        new = np.empty(total, dtype=bool)
        new[0] = True
        np.not_equal(ranks[1:], ranks[:-1], out=new[1:])
        new[1:] |= docs[1:] != docs[:-1]
        first = np.flatnonzero(new)  # each posting's first token
        freq = np.diff(first, append=total)
        posting_rank = ranks[first]
        starts = np.flatnonzero(np.concatenate(([True], posting_rank[1:] != posting_rank[:-1])))
        values = list(map(s.SINGLE_POSITION.__getitem__, pos[first].tolist()))
        several = freq > 1
        if several.any():
            deltas = pos.copy()
            deltas[1:] -= pos[:-1]
            deltas[first] = pos[first]
            flat = deltas[np.repeat(several, freq)].tolist()
            at = 0
            for i, f in zip(np.flatnonzero(several).tolist(), freq[several].tolist(), strict=True):
                values[i] = pack_uint(f) + dumps(flat[at:at + f], 2)
                at += f
        return Postings(terms=[terms[i] for i in order], starts=[*starts.tolist(), len(first)],
                        docnums=docs[first].tolist(), freqs=freq.tolist(), values=values,
                        lengths=dict(zip(self.docs, self.counts, strict=True)))
