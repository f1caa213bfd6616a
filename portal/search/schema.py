"""The layout of the public indexes and the fast analysis path used to fill them.

Two layouts share the text fields below and the analysis: the contributions' index (`build_schema`,
`Source`, the fields listed here) and the Stocktaking entries' index (`build_entry_schema`,
`EntrySource`: its facets are listed before EntrySource). `document(src)` builds either kind's document.

Fields (contributions)
----------------------
``id``        contribution id (unique; stored; column)      ``stamp``  what the entry was built from (column)
``info``      stored: symbol, title, organisation, meeting, date... everything a hit shows
``excerpt``   stored: the summary and the first EXCERPT_CHARS characters of each published language version,
              the text that passages are highlighted in
facets        ``meeting``, ``stakeholder_type``, ``year``, ``series`` (single values, columns) and
              ``action_line``, ``language`` (several values per document)
``published`` column: the publication time of the current version (sorting by date)
text          three families of `analysis` fields:
              ``title_*``   the title, every analyser (folded, en, fr, es, ru, ar, zh);
              ``summary_*`` the summary, the organisation's name and the symbol, every analyser;
              ``body_*``    the text of each published language version, at most BODY_CHARS characters of each:
                            each word goes to ONE field: the stemmed field of the file's language when it is
                            written in that language's script, otherwise (digits, words of other scripts)
                            ``body_folded``; Chinese/Japanese characters to ``body_zh``.

A query word is analysed by every field's analyser (`analysis.query_parser`), so a word of the file's
language is found through that language's stemmer (its query form is stemmed the same way), and any
other word through the folded field. Compared with filling all seven fields, the body costs a fraction
of the postings, which is what bounds indexing speed in Whoosh (see benchmarks/RESULTS.md).
The price: an exact form does not rank above a stemmed one inside the body (it still does in title
and summary), and a phrase whose words sit in two body fields (a Latin word next to a number, say)
is not found in the body.

`FastText.index` produces exactly the terms, frequencies and positions of the field's analyser
(tests/test_search.py checks it against the analysers, on samples and on random text), without
Whoosh's chain of token generators: a text is split at white space and each chunk looked up in a memo
of what the field's analyser makes of it. Queries still go through the analysers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache, singledispatch
from itertools import chain, compress
from operator import itemgetter

from whoosh import columns
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from portal.search import analysis as a

# Bump when the layout or the analysis changes: every entry becomes stale (check-index --fix or reindex).
SCHEMA_VERSION = 2  # 2: Snowball's C stemmers (PyStemmer) for English, French and Russian

FAMILIES = ("title_", "summary_", "body_")
# Query-time boosts of the families (multiplied by analysis.KIND_BOOSTS).
FAMILY_BOOSTS = {"title_": 3.0, "summary_": 1.5, "body_": 1.0}

# Facets of the contributions' index: single-valued ones are ID columns, multi-valued ones KEYWORD fields
# (engine.py tells them apart by their field type).
SINGLE_FACETS = ("meeting", "stakeholder_type", "year", "series")
MULTI_FACETS = ("action_line", "language")
FACETS = ("meeting", "action_line", "stakeholder_type", "language", "year", "series")

# The Stocktaking entries' index (see EntrySource): bump its version when its layout changes.
ENTRY_SCHEMA_VERSION = 2  # 2: the description in the body family, in the entry's language
ENTRY_SINGLE_FACETS = ("scope", "stakeholder_type", "status", "partners", "funding", "inactive", "language")
ENTRY_MULTI_FACETS = ("action_line", "sdg", "country", "region", "updated")
ENTRY_FACETS = ("action_line", "sdg", "region", "country", "scope", "stakeholder_type", "status", "partners",
                "funding", "updated", "inactive", "language")

DEFAULT_BODY_CHARS = 12_000  # characters of each language version indexed (Chinese: a third)
DEFAULT_EXCERPT_CHARS = 3_000

_STOP = a.STOP_WORDS
_SCRIPT_WORDS = a.SCRIPT_WORDS
_STEMMERS = a.STEMMERS
STEMMED = tuple(_STEMMERS)


# --- Fast analysis ---------------------------------------------------------------------------------
#
# Indexing cost is Python work per word and per term, so every decision about a piece of text (its
# words, their folded forms, stop words, stems, scripts) is a lookup in a memo, applied with map()
# rather than a Python loop; see _terms.


class Memo(dict):
    """fn(key), remembered; forgets everything at `limit` entries (the vocabulary of a long-lived
    process has no bound). Small in a web process, which indexes a few documents at a time; large
    during a bulk build (`bulk_memos`)."""

    limit = 20_000
    instances: list[Memo] = []

    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        Memo.instances.append(self)

    def __missing__(self, key):
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.fn(key)
        return value


@contextmanager
def bulk_memos(limit: int = 300_000):
    """Memos that hold a whole index's common vocabulary while a bulk build runs, emptied after it."""
    previous, Memo.limit = Memo.limit, limit
    try:
        yield
    finally:
        Memo.limit = previous
        for memo in Memo.instances:
            memo.clear()
        _chunks.cache_clear()
        _language_terms.cache_clear()


def _keep(word: str) -> str:
    """The folded word if a StopFilter(minsize=2) keeps it, else ""."""
    f = a.fold(word)
    return f if len(f) >= 2 and f not in _STOP else ""


# analysis.WORD, which the query side uses, is an alternation (word characters less "_" and CJK, or
# marks): slower than one character class. With "_" and the CJK characters that are not marks replaced
# by spaces, that class finds exactly the same words.
_WORD_CHARS = re.compile(f"[\\w{a.MARKS}{a.JOINERS}]+")


def _class_ranges(body: str) -> list[tuple[int, int]]:
    """The (first, last) code points of a regex character class's body ("a-z\u00e9...")."""
    return [(ord(lo), ord(hi or lo)) for lo, hi in re.findall(r"(.)(?:-(.))?", body, re.S)]


def _cjk_not_marks() -> re.Pattern:
    ranges = []
    for lo, hi in _class_ranges(a.CJK):
        if lo > 0xFFFF:  # no marks outside the Basic Multilingual Plane's CJK blocks
            ranges.append((lo, hi))
            continue
        start = None
        for cp in range(lo, hi + 2):
            keep = cp <= hi and not unicodedata.category(chr(cp)).startswith("M")
            if keep and start is None:
                start = cp
            elif not keep and start is not None:
                ranges.append((start, cp - 1))
                start = None
    return re.compile("[" + "".join(f"{chr(x)}-{chr(y)}" for x, y in ranges) + "]+")


_CJK_NOT_MARKS = _cjk_not_marks()
_HAS_CJK = a.HAS_SCRIPT["cjk"]


def words(text: str) -> list[str]:
    """analysis.WORD.findall(text), faster."""
    if "_" in text:
        text = text.replace("_", " ")
    if _HAS_CJK.search(text):
        text = _CJK_NOT_MARKS.sub(" ", text)
    return _WORD_CHARS.findall(text)


def _pieces_memo(lang: str) -> Memo:
    """A word's pieces written in the script of lang (the word itself if it is wholly in that script,
    else the runs of that script inside it: "IPv6" -> "IPv"), each folded and stemmed, or "" where a
    StopFilter(minsize=2) drops it."""
    script = _SCRIPT_WORDS[a.LANGUAGE_SCRIPTS[lang]]
    full, find, stem = script.fullmatch, script.findall, _STEMMERS[lang]

    def pieces(word: str) -> tuple[str, ...]:
        return tuple(stem(k) if (k := _keep(p)) else "" for p in ((word,) if full(word) else find(word)))

    return Memo(pieces)


_PIECES = {lang: _pieces_memo(lang) for lang in _STEMMERS}

# Most of the cost of analysing a text was finding its words with a regular expression. Instead the
# text is split at white space (a fast C loop; white space never sits inside a word) and each chunk
# ("society,", "(WSIS)", "l'information") is looked up in a memo of what each kind of field makes of
# it: the words() of the chunk, through the analyser. Chunks repeat as words do.


@lru_cache(maxsize=16)
def _chunks(text: str) -> list[str]:  # the fields of one document take the same texts
    return text.split()


def _outside(script: str):
    """(): the word is wholly in script (its stemmed field has it); else (the folded word or "")."""
    full = _SCRIPT_WORDS[script].fullmatch
    return lambda word: () if full(word) else (_keep(word),)


# Punctuation that sticks to words ("society," "(WSIS)" "«numérique»"): never part of a word, so a
# chunk means what it means without it at its ends, and "society," is looked up as "society" rather
# than analysed on its own. (The test checks that none of these is a word character.)
EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»“”„‘’‚‹›—–-/\\…*•·|<>=+&%#@~^`$"


def _chunk_memo(terms) -> Memo:
    """chunk -> terms(chunk), a chunk with punctuation at its ends through its bare form."""

    def lookup(chunk: str):
        bare = chunk.strip(EDGE_PUNCTUATION)
        return memo[bare] if bare != chunk else terms(chunk)

    memo = Memo(lookup)
    return memo


_FOLDED_CHUNKS = _chunk_memo(lambda chunk: tuple(map(_keep, words(chunk))))


def _language_chunks(lang: str) -> Memo:
    """A chunk of a text written in lang: what its stemmed field takes of it and what the folded field
    takes (the words not wholly in lang's script). One lookup for both fields: a memo of hundreds of
    thousands of chunks costs a cache miss or two per lookup."""
    pieces, outside = _PIECES[lang].__getitem__, _outside(a.LANGUAGE_SCRIPTS[lang])

    def both(chunk: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        found = words(chunk)
        return tuple(chain.from_iterable(map(pieces, found))), tuple(chain.from_iterable(map(outside, found)))

    return _chunk_memo(both)


_LANGUAGE_CHUNKS = {lang: _language_chunks(lang) for lang in _STEMMERS}
_STEMMED_PART, _FOLDED_PART = itemgetter(0), itemgetter(1)


def _not_word_chars(script: str) -> re.Pattern | None:
    """The few characters of a script's class that words() does not take into words (a modifier colon,
    unassigned code points): with one of them in a text, its script runs no longer sit inside words."""
    body = _SCRIPT_WORDS[script].pattern[1:-2]  # "[...]+"
    odd = sorted({chr(cp) for lo, hi in _class_ranges(body) for cp in range(lo, hi + 1)
                  if not _WORD_CHARS.fullmatch(chr(cp))})
    return re.compile("[" + "".join(map(re.escape, odd)) + "]") if odd else None


_NOT_WORD_CHARS = {script: _not_word_chars(script) for script in _SCRIPT_WORDS}


def _first_kept(seq: list[str]) -> tuple[int, Sequence[str]]:
    """What a StopFilter(minsize=2, renumber=True) keeps of a sequence of terms ("" for those it drops):
    the position of the first kept term (its original position; the next ones follow) and the terms."""
    kept = list(filter(None, seq))
    if not kept:
        return 0, ()
    return (0 if seq[0] else next(i for i, t in enumerate(seq) if t)), kept


@lru_cache(maxsize=8)
def _language_terms(text: str, lang: str) -> tuple[tuple[int, Sequence[str]], tuple[int, Sequence[str]]]:
    """The terms of a text written in lang: of its stemmed field and of the folded field (the words not
    wholly in lang's script), each as (position of the first, terms at consecutive positions). A
    stemmed field's tokens are the runs of its script, which sit inside words unless the text holds
    one of the rare characters of _NOT_WORD_CHARS (then its regex is run)."""
    script = a.LANGUAGE_SCRIPTS[lang]
    odd = _NOT_WORD_CHARS[script]
    if odd is not None and odd.search(text):
        stemmed = chain.from_iterable(map(_PIECES[lang].__getitem__, _SCRIPT_WORDS[script].findall(text)))
        folded = chain.from_iterable(map(_outside(script), words(text)))
        return _first_kept(list(stemmed)), _first_kept(list(folded))
    both = list(map(_LANGUAGE_CHUNKS[lang].__getitem__, _chunks(text)))
    return (_first_kept(list(chain.from_iterable(map(_STEMMED_PART, both)))),
            _first_kept(list(chain.from_iterable(map(_FOLDED_PART, both)))))


def _terms(kind: str, text: str, skip: str | None) -> tuple[int, Sequence[str]]:
    """(position of the first, terms at consecutive positions) of a folded or stemmed field; skip: the
    language whose stemmed field took the words of the text written wholly in its script."""
    if kind != a.FOLDED:
        return _language_terms(text, kind)[0]
    if skip is not None:
        return _language_terms(text, skip)[1]
    return _first_kept(list(chain.from_iterable(map(_FOLDED_CHUNKS.__getitem__, _chunks(text)))))


_FOLD = Memo(a.fold)


def cjk_terms(text: str, start: int = 0) -> tuple[list[int], list[str]]:
    """CJKBigramTokenizer (index mode) followed by FoldFilter: the positions and the terms, in order
    (each character, then the bigram starting there, at the character's position); a gram that folds
    to nothing is dropped."""
    positions: list[int] = []
    terms: list[str] = []
    pos = start
    fold = _FOLD.__getitem__
    for run in a.CJK_RUN.findall(text):
        n = len(run)
        grams: list = [None] * (2 * n - 1)
        grams[0::2] = run
        grams[1::2] = map(str.__add__, run, run[1:])
        at: list = [None] * (2 * n - 1)
        at[0::2] = range(pos, pos + n)
        at[1::2] = range(pos, pos + n - 1)
        folded = list(map(fold, grams))
        if all(folded):
            positions += at
            terms += folded
        else:
            positions += compress(at, folded)
            terms += filter(None, folded)
        pos += n + 1
    return positions, terms


def value_terms(kind: str, value):
    """Each part of a FastText value (a text, or ``(skip_language, text)`` parts) as (its terms'
    positions, its terms), a position gap between parts so that no phrase spans two of them."""
    parts = ((None, value),) if isinstance(value, str) else value
    start = 0
    for skip, text in parts:
        if kind == "zh":
            at, found = cjk_terms(text, start)
            if at:
                yield at, found
                start = at[-1] + 2
            continue
        first, found = _terms(kind, text, skip)
        if n := len(found):
            yield range(start + first, start + first + n), found
            start += first + n + 1


# Position p encoded by the Positions format of the FastText fields ([p]): most terms occur once in a
# document's field. And each term's bytes, one object however many postings hold it.
_ONE_POSITION: dict[int, bytes] = {}
_TERM_BYTES = Memo(str.encode)


class FastText(TEXT):
    """A TEXT field with one of the `analysis` analysers (its ``kind``), whose ``index`` does the
    analyser's work through memos (see _terms). The value is a string (analysed like the analyser
    would), or a tuple of ``(skip_language, text)`` parts: words written entirely in the script of
    skip_language are skipped (they went to that language's stemmed field), and parts are separated
    by a position gap so that no phrase spans two of them."""

    def __init__(self, kind: str, stored: bool = False):
        super().__init__(analyzer=a.analyzer_for(kind), stored=stored, phrase=True,
                         multitoken_query="phrase" if kind == "zh" else "default")
        self.kind = kind

    def positions(self, value) -> dict[str, list[int]]:
        """Each term of the value and its positions, in order."""
        poses: dict[str, list[int]] = defaultdict(list)
        for at, terms in value_terms(self.kind, value):
            for p, t in zip(at, terms, strict=True):
                poses[t].append(p)
        return poses

    def index(self, value, **kwargs):
        """What Whoosh's TEXT.index returns for the value: (term bytes, frequency, weight, positions
        encoded by the field's format) for each term."""
        fmt = self.format
        fb, encode, one, term_bytes = fmt.field_boost, fmt.encode, _ONE_POSITION, _TERM_BYTES
        out = []
        for term, poslist in self.positions(value).items():
            n = len(poslist)
            if n == 1:
                enc = one.get(poslist[0])
                if enc is None:
                    enc = one[poslist[0]] = encode(poslist)
            else:
                enc = encode(poslist)
            out.append((term_bytes[term], n, n * fb, enc))
        return out


def _text_fields() -> dict[str, FastText]:
    """The three families of text fields, every analyser each: the same in every collection."""
    return {family + kind: FastText(kind) for family in FAMILIES for kind in a.KINDS}


def build_schema() -> Schema:
    """The contributions' index."""
    fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        "stamp": ID(sortable=True),
        "info": STORED(),
        "excerpt": STORED(),
        "meeting": ID(sortable=True),
        "stakeholder_type": ID(sortable=True),
        "year": ID(sortable=True),
        "series": ID(sortable=True),
        "action_line": KEYWORD(scorable=False),
        "language": KEYWORD(scorable=False),
        "published": COLUMN(columns.NumericColumn("Q", default=0)),
    }
    fields.update(_text_fields())
    return Schema(**fields)


def build_entry_schema() -> Schema:
    """The Stocktaking entries' index: the same text fields, its own facets, and a column to sort by
    title."""
    fields = {
        "id": ID(stored=True, unique=True, sortable=True),
        "stamp": ID(sortable=True),
        "info": STORED(),
        "excerpt": STORED(),
        "published": COLUMN(columns.NumericColumn("Q", default=0)),
        "title_key": COLUMN(columns.VarBytesColumn()),
    }
    fields.update({name: ID(sortable=True) for name in ENTRY_SINGLE_FACETS})
    fields.update({name: KEYWORD(scorable=False) for name in ENTRY_MULTI_FACETS})
    fields.update(_text_fields())
    return Schema(**fields)


# --- Documents -------------------------------------------------------------------------------------


@dataclass
class SourceFile:
    id: int
    language: str
    text: str  # already cut to the body bound


@dataclass
class Source:
    """What the index holds about one contribution, read from the database (see source.py)."""

    id: int
    indexable: bool
    symbol: str = ""
    title: str = ""
    summary: str = ""
    organisation: str = ""
    stakeholder_type: str = ""
    meeting: str = ""
    series: str = ""
    original_language: str = ""
    version_id: int | None = None
    revision: int | None = None
    published_at: datetime | None = None
    action_lines: list[str] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)
    body_chars: int = DEFAULT_BODY_CHARS

    @property
    def stamp(self) -> str:
        """Changes whenever anything the entry shows or is found by changes. A published version's
        title, summary and files never change (a change is a new version), so its id and the set of
        its published files stand for the text."""
        if not self.indexable:
            return ""
        parts = (SCHEMA_VERSION, self.body_chars, self.version_id, self.revision, self.symbol,
                 self.organisation, self.stakeholder_type, self.meeting, self.series,
                 self.original_language, self.action_lines, sorted(f.id for f in self.files),
                 self.published_at.isoformat() if self.published_at else None)
        return hashlib.blake2b(repr(parts).encode(), digest_size=10).hexdigest()


def _full(text: str, family: str) -> dict[str, str]:
    return a.document_values(text, family)


def _utc_or_epoch(when: datetime | None) -> datetime:
    when = when or datetime(1970, 1, 1, tzinfo=timezone.utc)
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


@singledispatch
def document(src, *, excerpt_chars: int = DEFAULT_EXCERPT_CHARS) -> dict:
    """The keyword arguments of ``writer.update_document`` for one indexable source: a contribution's
    `Source` or an `EntrySource` (each kind registers its own layout below)."""
    raise TypeError(f"no index layout for {type(src).__name__}")


@document.register(Source)
def contribution_document(src: Source, *, excerpt_chars: int = DEFAULT_EXCERPT_CHARS) -> dict:
    """One published contribution."""
    published = _utc_or_epoch(src.published_at)
    languages = sorted({f.language for f in src.files} or {src.original_language})
    doc = {
        "id": str(src.id),
        "stamp": src.stamp,
        "meeting": src.meeting,
        "series": src.series,
        "year": str(published.year),
        "action_line": " ".join(src.action_lines) or None,
        "language": " ".join(languages),
        "published": int(published.timestamp()),
        "info": {
            "symbol": src.symbol, "title": src.title, "organisation": src.organisation,
            "stakeholder_type": src.stakeholder_type, "meeting": src.meeting,
            "date": published.isoformat(), "series": src.series,
            "language": src.original_language, "languages": languages, "action_lines": src.action_lines,
        },
        "excerpt": {
            "summary": src.summary[:excerpt_chars],
            "body": {f.language: f.text[:excerpt_chars] for f in src.files if f.text},
        },
    }
    if src.stakeholder_type:
        doc["stakeholder_type"] = src.stakeholder_type
    doc.update(_full(src.title, "title_"))
    about = "\n".join(x for x in (src.summary, src.organisation, src.symbol) if x)
    doc.update(_full(about, "summary_"))
    doc.update(_body(src.files, src.body_chars))
    return {k: v for k, v in doc.items() if v is not None}


def _body(files: list[SourceFile], body_chars: int) -> dict:
    """The body_ family of a document's files (see the module's docstring)."""
    doc: dict = {}
    folded_parts: list[tuple[str | None, str]] = []
    cjk_parts: list[str] = []
    for f in files:
        text = f.text
        if f.language == "zh":  # a Chinese character carries about a third of a page's worth of a word
            text = text[:max(1, body_chars // 3)]
        if not text or not text.strip():
            continue
        if f.language in STEMMED:  # (a text with no word in its language's script leaves that field empty)
            key = "body_" + f.language
            doc[key] = text if key not in doc else doc[key] + "\n\n" + text
            folded_parts.append((f.language, text))
        else:  # zh, other: every word to the folded field
            folded_parts.append((None, text))
        if _HAS_CJK.search(text):
            cjk_parts.append(text)
    if folded_parts:
        doc["body_folded"] = tuple(folded_parts)
    if cjk_parts:
        doc["body_zh"] = "\n\n".join(cjk_parts)
    return doc


# --- Stocktaking entries ---------------------------------------------------------------------------
#
# An entry's document shows its current (published) version. Text: the title to title_*; the owner's
# name and the partners' names to summary_*; the description and the text of the version's files (each
# at most BODY_CHARS characters) to body_*, in the version's language, as a document's text is: the
# description is an entry's long text, and every analyser's copy of it would double the postings that a
# search reads (benchmarks/RESULTS.md, "WSIS Stocktaking at 50,000 entries"). Facets, all plain strings:
#
#   action_line  C1..C11, several          sdg      "1".."17", several
#   country      ISO alpha-2, several      region   ITU region codes of its countries, several
#   scope        "global" (a global entry: no country, no region) or "countries"
#   stakeholder_type, status (ActivityStatus), language (the version's), one each
#   partners, funding ("looking for"), inactive: "yes" / "no"
#   updated      the years of the calls it was confirmed or updated for, several


YES, NO = "yes", "no"
GLOBAL, COUNTRIES = "global", "countries"


@dataclass
class EntrySource:
    """What the index holds about one Stocktaking entry, read from the database (see source.py)."""

    id: int
    indexable: bool
    title: str = ""
    description: str = ""
    organisation: str = ""
    organisation_id: int | None = None
    stakeholder_type: str = ""
    status: str = ""
    language: str = ""
    is_global: bool = False
    countries: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    action_lines: list[str] = field(default_factory=list)
    main_action_line: str | None = None
    sdgs: list[int] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    looking_for_partners: bool = False
    looking_for_funding: bool = False
    start_date: date | None = None
    end_date: date | None = None
    updated: list[int] = field(default_factory=list)
    inactive: bool = False
    version_id: int | None = None
    published_at: datetime | None = None
    files: list[SourceFile] = field(default_factory=list)
    # (id, characters of text) of each file indexed: the stamp follows a text extracted late.
    file_marks: list[tuple[int, int]] = field(default_factory=list)
    body_chars: int = DEFAULT_BODY_CHARS

    @property
    def stamp(self) -> str:
        """Changes whenever anything the entry shows or is found by changes (every field but the files'
        text, which their ids and lengths stand for)."""
        if not self.indexable:
            return ""
        parts = (ENTRY_SCHEMA_VERSION, self.body_chars, self.version_id, self.title, self.description,
                 self.organisation, self.organisation_id, self.stakeholder_type, self.status, self.language,
                 self.is_global, self.countries, self.regions, self.action_lines, self.main_action_line,
                 self.sdgs, self.partners, self.looking_for_partners, self.looking_for_funding,
                 self.start_date, self.end_date, self.updated, self.inactive, sorted(self.file_marks),
                 self.published_at.isoformat() if self.published_at else None)
        return hashlib.blake2b(repr(parts).encode(), digest_size=10).hexdigest()

    @property
    def scope(self) -> str | None:
        return GLOBAL if self.is_global else (COUNTRIES if self.countries else None)


def title_key(title: str) -> bytes:
    """What titles sort by: their words, folded (no case, accents or leading quotes)."""
    return " ".join(a.fold(w) for w in words(title)).encode("utf-8")


def _yes(flag: bool) -> str:
    return YES if flag else NO


@document.register(EntrySource)
def entry_document(src: EntrySource, *, excerpt_chars: int = DEFAULT_EXCERPT_CHARS) -> dict:
    """One published Stocktaking entry."""
    published = _utc_or_epoch(src.published_at)
    countries = [] if src.is_global else src.countries
    regions = [] if src.is_global else src.regions
    body_text = "\n\n".join(f.text for f in src.files if f.text)
    doc = {
        "id": str(src.id),
        "stamp": src.stamp,
        "published": int(published.timestamp()),
        "title_key": title_key(src.title),
        "action_line": " ".join(src.action_lines) or None,
        "sdg": " ".join(map(str, src.sdgs)) or None,
        "country": " ".join(countries) or None,
        "region": " ".join(regions) or None,
        "updated": " ".join(map(str, src.updated)) or None,
        "scope": src.scope,
        "stakeholder_type": src.stakeholder_type or None,
        "status": src.status or None,
        "language": src.language or None,
        "partners": _yes(src.looking_for_partners),
        "funding": _yes(src.looking_for_funding),
        "inactive": _yes(src.inactive),
        "info": {
            "title": src.title, "organisation": src.organisation, "organisation_id": src.organisation_id,
            "stakeholder_type": src.stakeholder_type, "countries": countries, "regions": regions,
            "is_global": src.is_global, "action_lines": src.action_lines,
            "main_action_line": src.main_action_line, "sdgs": src.sdgs, "status": src.status,
            "looking_for_partners": src.looking_for_partners, "looking_for_funding": src.looking_for_funding,
            "start_year": src.start_date.year if src.start_date else None,
            "end_year": src.end_date.year if src.end_date else None,
            "date": published.isoformat() if src.published_at else None,
            "language": src.language, "updated": src.updated, "inactive": src.inactive,
        },
        "excerpt": {
            "summary": src.description[:excerpt_chars],
            "body": {src.language: body_text[:excerpt_chars]} if body_text else {},
        },
    }
    doc.update(_full(src.title, "title_"))
    about = "\n".join(x for x in (src.organisation, *src.partners) if x)
    doc.update(_full(about, "summary_"))
    description = SourceFile(id=0, language=src.language, text=src.description[:src.body_chars])
    doc.update(_body([description, *src.files], src.body_chars))
    return {k: v for k, v in doc.items() if v is not None}
