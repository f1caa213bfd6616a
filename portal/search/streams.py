"""Token streams for the bulk build: what each text field of a segment's documents holds, as term ids,
turned into posting lists by numpy once the segment is complete.

Whoosh (and `FastText.index`) groups a document's tokens by term in a dictionary and then appends each
term's posting to the segment's list of that term: several Python operations for every token and for
every posting, most of the build's time. Here a text is split at white space as in `schema`, and
each chunk looked up in a memo of what `schema`'s analysis makes of it (so the terms are the same),
kept as int32 codes: term ids, with the terms a StopFilter drops as 0, the stemmed field's and the
folded field's in one array. A text's codes are the concatenation of its chunks' bytes, split into
the two fields by numpy. A field of a segment keeps one stream: term ids, positions, and each
document's token count. At the end, a stable sort by term (the tokens came in document and position
order) gives every posting list at once: each run of one term in one document is a posting, its
length the frequency, its positions the run.

`FieldStream.postings` returns the lists in the order Whoosh writes them (terms in code point
order), with each posting's position bytes encoded as `whoosh.formats.Positions` does. Term ids
live as long as the build (`reset`).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from portal.search import analysis as a
from portal.search import schema as s

if array("i").itemsize != 4:  # pragma: no cover - the streams are read back as int32
    raise ImportError("portal.search.streams needs a 4-byte C int")


class _TermIds(dict):
    """term -> id (from 1), numbered in order of arrival; `terms[id]` is the term."""

    def __init__(self):
        super().__init__()
        self.terms: list[str] = [""]  # 0 is no term: one that a StopFilter drops

    def __missing__(self, term: str) -> int:
        i = self[term] = len(self.terms)
        self.terms.append(term)
        return i


TERM_IDS = _TermIds()
_ID = TERM_IDS.__getitem__


def _codes(stemmed, folded) -> bytes:
    """A chunk's terms ("" where a StopFilter drops one) for a stemmed field and for the folded field,
    in one int32 array: the stemmed field's term ids (0 if dropped), then the folded field's as ~id
    (-1 if dropped). One bytes object per chunk: a memo lookup touches little memory."""
    return array("i", [*(_ID(t) if t else 0 for t in stemmed),
                       *(~_ID(t) if t else -1 for t in folded)]).tobytes()


# Punctuation that sticks to words ("society," "(WSIS)" "«numérique»"): never part of a word, so a
# chunk means what it means without it at its ends, and "society," costs a lookup of "society"
# rather than an analysis of its own. (The test checks that none of these is a word character.)
EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»“”„‘’‚‹›—–-/\\…*•·|<>=+&%#@~^`$"


def _chunk_memo(terms) -> s._Memo:
    """chunk -> _codes(*terms(chunk)), a chunk with punctuation at its ends through its bare form."""

    def codes(chunk: str) -> bytes:
        bare = chunk.strip(EDGE_PUNCTUATION)
        return memo[bare] if bare != chunk else _codes(*terms(chunk))

    memo = s._Memo(codes)
    return memo


_FOLDED_IDS = _chunk_memo(lambda chunk: ((), s._FOLDED_CHUNKS.fn(chunk)))
_LANGUAGE_IDS = {lang: _chunk_memo(s._LANGUAGE_CHUNKS[lang].fn) for lang in s.STEMMED}


# A Chinese/Japanese character or bigram -> the id of its folded form (0: folding leaves nothing).
_CJK_IDS = s._Memo(lambda gram: _ID(folded) if (folded := a.fold(gram)) else 0)
_SMALL = 1024  # bytes of codes (256 terms) below which Python beats numpy's per-call cost


_NONE = array("i")


def _kept(seq) -> tuple[int, array | np.ndarray]:
    """(position of the first kept term, the kept terms' ids, int32) of a field's terms (0: dropped)."""
    if isinstance(seq, np.ndarray):
        kept = seq != 0
        return (int(kept.argmax()), seq[kept]) if kept.any() else (0, _NONE)
    if not any(seq):
        return 0, _NONE
    return next(i for i, v in enumerate(seq) if v), array("i", filter(None, seq))


def _split(codes: bytes) -> tuple[tuple[int, array | np.ndarray], tuple[int, array | np.ndarray]]:
    """A text's chunk codes, joined -> the stemmed field's and the folded field's (first, ids)."""
    if len(codes) < _SMALL:
        values = array("i")
        values.frombytes(codes)
        return _kept([v for v in values if v >= 0]), _kept([~v for v in values if v < 0])
    values = np.frombuffer(codes, dtype=np.int32)
    folded = values < 0
    return _kept(values[~folded]), _kept(~values[folded])


def _ids(terms) -> array:
    return array("i", map(_ID, terms))


@lru_cache(maxsize=8)
def _language_ids(text: str, lang: str) -> tuple[tuple[int, array | np.ndarray], tuple[int, array | np.ndarray]]:
    """schema._language_terms as ids."""
    odd = s._NOT_WORD_CHARS[a.LANGUAGE_SCRIPTS[lang]]
    if odd is not None and odd.search(text):
        (f1, t1), (f2, t2) = s._language_terms(text, lang)
        return (f1, _ids(t1)), (f2, _ids(t2))
    return _split(b"".join(map(_LANGUAGE_IDS[lang].__getitem__, s._chunks(text))))


def _text_ids(kind: str, text: str, skip: str | None) -> tuple[int, array | np.ndarray]:
    """schema._terms as ids."""
    if kind != a.FOLDED:
        return _language_ids(text, kind)[0]
    if skip is not None:
        return _language_ids(text, skip)[1]
    return _split(b"".join(map(_FOLDED_IDS.__getitem__, s._chunks(text))))[1]


def reset() -> None:
    """Forget every term id (at the end of a bulk build; the memos hold ids)."""
    _language_ids.cache_clear()
    _FOLDED_IDS.clear()
    _CJK_IDS.clear()
    for memo in _LANGUAGE_IDS.values():
        memo.clear()
    TERM_IDS.clear()
    del TERM_IDS.terms[1:]


def group_deltas(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each value less the one before it, and at each of the starts (of a group) the value itself."""
    out = np.diff(values, prepend=0)
    out[starts] = values[starts]
    return out


@dataclass
class Postings:
    """One field's posting lists: the postings of terms[i] are [starts[i], starts[i + 1])."""

    terms: list[str]
    starts: np.ndarray  # len(terms) + 1 offsets into the postings
    docnums: np.ndarray
    freqs: np.ndarray
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
        ids, positions = self.ids, self.positions
        before = len(positions)
        for at, found in s.value_terms(field.kind, value, _text_ids, _CJK_IDS.__getitem__):
            # (a list: Chinese/Japanese grams' ids; a memoryview, so that numpy does not add elementwise)
            ids += memoryview(array("i", found) if type(found) is list else found)
            positions.extend(at)
        n = len(positions) - before
        if n:
            self.docs.append(docnum)
            self.counts.append(n)
        return n

    def postings(self) -> Postings:
        total = len(self.positions)
        if not total:
            return Postings([], np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                            np.zeros(0, dtype=np.int64), [], {})
        tids = np.frombuffer(self.ids, dtype=np.int32)
        pos = np.frombuffer(self.positions, dtype=np.int32)
        docs = np.repeat(np.frombuffer(self.docs, dtype=np.int32), np.frombuffer(self.counts, dtype=np.int32))
        present = np.flatnonzero(np.bincount(tids))  # the ids in this field, in order
        terms = list(map(TERM_IDS.terms.__getitem__, present.tolist()))
        order = sorted(range(len(terms)), key=terms.__getitem__)  # code point order is UTF-8 byte order
        rank = np.empty(int(present[-1]) + 1, dtype=np.int32)
        rank[present[order]] = np.arange(len(order), dtype=np.int32)
        ranks = rank[tids]
        # argsort(ranks, kind="stable"), two to three times faster: an unstable sort of (rank, index) pairs
        by_term = np.sort((ranks.astype(np.int64) << 32) | np.arange(total, dtype=np.int64))
        by_term &= 0xFFFFFFFF
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
            flat = group_deltas(pos, first)[np.repeat(several, freq)].tolist()
            at = 0
            for i, f in zip(np.flatnonzero(several).tolist(), freq[several].tolist(), strict=True):
                values[i] = s.encode_deltas(flat[at:at + f])
                at += f
        return Postings(terms=[terms[i] for i in order], starts=np.append(starts, len(first)),
                        docnums=docs[first], freqs=freq, values=values,
                        lengths=dict(zip(self.docs, self.counts, strict=True)))
