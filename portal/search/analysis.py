"""Text analysis for the search index: one query finds documents in all six UN languages.

Every searchable text (a "family": title, summary, body...) is indexed into several fields, each
with its own analyser, named ``<prefix><kind>``:

``folded``  every word in any script except Chinese/Japanese characters: case folded, accents and
            Arabic/Hebrew diacritics removed, Arabic letter variants unified. Matches exact words.
``en``/``fr``/``es``  Latin-script words, folded, then stemmed (Snowball English and French; a light
            plural/gender stemmer for Spanish, see `spanish_light_stem`).
``ru``      Cyrillic words, folded (``ё`` -> ``е``, ``й`` kept), Snowball Russian.
``ar``      Arabic-script words, normalised, light10 stemmer (`arabic_light_stem`).
``zh``      runs of Han/kana characters as overlapping bigrams (plus unigrams at index time).

The query side does not know the query's language: `query_fields` lists every field of every
family for a `MultifieldParser`, whose per-field analysers each process the query text, so each
query word becomes an OR over all fields. Each stemmed field only ever receives words of its own
script (Latin words in the Russian field would just duplicate ``folded``), and `document_values`
leaves out fields whose script the text does not contain, which keeps the index small.

Stop words are one list for all languages, applied in every field, so that a word is either a
stop word everywhere or nowhere: otherwise "le sommet mondial" would require "le" in the folded
field and miss a title that lacks it.

The schema stores pickled instances of the classes below: an index refers to this module by name,
and changing how text is analysed needs a rebuild of the index.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, StemFilter, StopFilter, Token, Tokenizer
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.fields import TEXT, FieldType
from whoosh.qparser import MultifieldParser

DEFAULT_PREFIX = "text_"
FOLDED = "folded"
# Stemmed languages first, Chinese last; the keys are the languages a document may declare.
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
KINDS = (FOLDED, *LANGUAGES)
LANGUAGE_FIELDS: dict[str, str] = {lang: DEFAULT_PREFIX + lang for lang in LANGUAGES}

# Query-time boost of each kind of field, multiplied by the family's boost. A word found in its
# exact (folded) form scores a little above one found only through a stem.
KIND_BOOSTS: dict[str, float] = {FOLDED: 1.5, "en": 1.0, "fr": 1.0, "es": 1.0, "ru": 1.0, "ar": 1.0,
                                 "zh": 1.0}

# --- Character classes ---------------------------------------------------------------------------

# Han (with radicals, ideographic marks, compatibility ideographs, extensions B-H), kana and bopomofo:
# scripts written without spaces, indexed as n-grams in the zh field only.
CJK = ("\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3041-\u30fa\u30fc-\u30ff"
        "\u3100-\u312f\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
        "\U00020000-\U0003134f")
# Invisible characters that may sit inside a word (soft hyphen, zero-width joiners): part of the token,
# removed by folding.
JOINERS = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_LATIN = ("A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0250-\u02af\u1e00-\u1eff"
          "\u2c60-\u2c7f\ua722-\ua7ff\uab30-\uab6f\ufb00-\ufb06\uff21-\uff3a\uff41-\uff5a")
_LATIN_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_CYRILLIC = "\u0400-\u0481\u048a-\u052f\u1c80-\u1c88\ua640-\ua66d\ua680-\ua69b"
_CYRILLIC_MARKS = "\u0300-\u036f\u0483-\u0489\u2de0-\u2dff\ua66f-\ua67d\ua69e\ua69f"
_ARABIC = ("\u0620-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff\u0750-\u077f"
           "\u08a0-\u08c9\ufb50-\ufbb1\ufbd3-\ufd3d\ufd50-\ufdc7\ufdf0-\ufdfb\ufe70-\ufefc")
_ARABIC_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u08ca-\u08ff"


def _mark_class() -> str:
    """Every combining mark of the Basic Multilingual Plane, as a regex class body. Python's \\w does
    not match marks, so "مُجْتَمَع" or a decomposed "e\u0301" would otherwise fall apart into letters."""
    ranges, start = [], None
    for cp in range(0x10001):
        is_mark = cp < 0x10000 and unicodedata.category(chr(cp)).startswith("M")
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{cp - 1:04x}" if cp - 1 > start else f"\\u{start:04x}")
            start = None
    return "".join(ranges)


# Words: letters and digits of any script except CJK (underscore excluded, so "____" blanks are not words).
MARKS = _mark_class()
WORD = re.compile(f"(?:[^\\W_{CJK}]|[{MARKS}{JOINERS}])+")
SCRIPT_WORDS = {
    "latin": re.compile(f"[{_LATIN}{_LATIN_MARKS}{JOINERS}]+"),
    "cyrillic": re.compile(f"[{_CYRILLIC}{_CYRILLIC_MARKS}{JOINERS}]+"),
    "arabic": re.compile(f"[{_ARABIC}{_ARABIC_MARKS}{JOINERS}]+"),
}
CJK_RUN = re.compile(f"[{CJK}]+")
HAS_SCRIPT = {
    "latin": re.compile(f"[{_LATIN}]"),
    "cyrillic": re.compile(f"[{_CYRILLIC}]"),
    "arabic": re.compile(f"[{_ARABIC}]"),
    "cjk": re.compile(f"[{CJK}]"),
}
LANGUAGE_SCRIPTS = {"en": "latin", "fr": "latin", "es": "latin", "ru": "cyrillic", "ar": "arabic", "zh": "cjk"}

# --- Folding ---------------------------------------------------------------------------------------

# Diacritics removed by folding: Latin/Greek/Cyrillic accents, Hebrew points, Arabic tashkeel (and the
# hamza/madda that NFKD splits off alef, waw and yeh). Marks of other scripts (Devanagari, Thai...)
# carry vowels and are kept.
_STRIPPED_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08ca-\u08ff"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\u2de0-\u2dff\ua66f-\ua67d\ua69e\ua69f\ufe20-\ufe2f]"
)
_SPECIAL = {
    "й": "й",  # a letter of its own in Russian, not и + breve (Snowball's adjective endings need it)
    "œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك",  # alef wasla, alef maqsura, ta marbuta, Persian yeh/kaf
    "\u0640": "",  # tatweel
    **{c: "" for c in JOINERS},
}


class _FoldTable(dict):
    def __missing__(self, ch: str) -> str:
        if ch in _SPECIAL:
            out = _SPECIAL[ch]
        elif unicodedata.category(ch) == "Nd":
            out = str(unicodedata.decimal(ch))  # Arabic-Indic and other digits -> 0-9
        else:
            out = _STRIPPED_MARKS.sub("", unicodedata.normalize("NFKD", ch))
            out = "".join(_SPECIAL.get(c, c) for c in out)
        self[ch] = out
        return out


_FOLD_TABLE = _FoldTable()


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case- and accent-fold one word: "Genève" -> "geneve", "ОБЩЕСТВО" -> "общество",
    "أُمَم" -> "امم", "ﬁ" -> "fi". Idempotent."""
    word = unicodedata.normalize("NFC", word).casefold()
    return unicodedata.normalize("NFC", "".join([_FOLD_TABLE[c] for c in word]))


# --- Stop words ------------------------------------------------------------------------------------

# Deliberately short: function words only. Snowball's lists hold content words ("estados", "sentido")
# and, for this portal, "it" (IT) and "will" (political will) must stay searchable.
_STOP_WORDS_BY_LANGUAGE = {
    "en": "an and are as at be been but by for from has have in into is its of on or that the their "
          "these this those to was were which with",
    "fr": "au aux avec ce ces dans de des du elle en est et il la le les leur leurs lui ou où par pour "
          "qu que qui sa se ses son sont sur un une",
    "es": "al como con de del el en entre es la las lo los para por que se su sus un una unas unos",
    "ru": "а в во да для до же за и из или к как на не но о об от по при с со что это у",
    "ar": "في من على الى إلى عن ان أن إن ما لا مع او أو هذا هذه ذلك التي الذي الذين كان قد ثم هو هي",
}
STOP_WORDS: frozenset[str] = frozenset(
    fold(w) for words in _STOP_WORDS_BY_LANGUAGE.values() for w in words.split()
)

# --- Stemmers --------------------------------------------------------------------------------------
# Module-level functions, so that the schema pickles them by name, each with a C LRU cache (Whoosh's
# own StemFilter cache is a Python LFU that costs more than it saves once it is full). English, French
# and Russian are the Snowball project's own C stemmers (PyStemmer), much faster than Whoosh's
# pure-Python ports of older versions of the same algorithms. A PyStemmer object is not thread-safe:
# one per thread.


class _Snowball(threading.local):
    def __init__(self) -> None:
        self.english, self.french, self.russian = (Stemmer.Stemmer(name, 0) for name in ("english", "french", "russian"))


_SNOWBALL = _Snowball()


@lru_cache(maxsize=100_000)
def english_stem(word: str) -> str:
    return _SNOWBALL.english.stemWord(word)


@lru_cache(maxsize=100_000)
def french_stem(word: str) -> str:
    return _SNOWBALL.french.stemWord(word)


@lru_cache(maxsize=100_000)
def russian_stem(word: str) -> str:
    return _SNOWBALL.russian.stemWord(word)


@lru_cache(maxsize=100_000)
def spanish_light_stem(word: str) -> str:
    """Savoy's light Spanish stemmer (Lucene/Elasticsearch "light_spanish") on a folded word: plural and
    gender endings only. Snowball Spanish stems "sociedad" to "socied" but "sociedades" to "sociedad",
    and its "-ación" rules need accents that folding removed."""
    if len(word) < 5:
        return word
    last = word[-1]
    if last in "oae":
        return word[:-1]
    if last == "s":
        if word.endswith("eses"):
            return word[:-2]
        if word.endswith("ces"):
            return word[:-3] + "z"
        if word[-2] in "oae":
            return word[:-2]
    return word


_AR_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")


@lru_cache(maxsize=100_000)
def arabic_light_stem(word: str) -> str:
    """Larkey's light10 stemmer (as Lucene's ArabicStemmer) on a normalised word: strips one prefix
    (the article, wa-) and the common suffixes, keeping at least two letters. Whoosh's ISRI stemmer
    reduces words to roots and so conflates معلومات, عالم, تعليم and معلم (all "علم")."""
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) >= (4 if len(prefix) == 1 else len(prefix) + 2):
            word = word[len(prefix):]
            break
    for suffix in _AR_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


# --- Tokenizers and filters ------------------------------------------------------------------------


def _token(kwargs: dict, mode: str, removestops: bool, positions: bool, chars: bool) -> Token:
    return Token(positions, chars, removestops=removestops, mode=mode, **kwargs)


class WordTokenizer(Tokenizer):
    """Words of one script ("latin", "cyrillic", "arabic") or, with script=None, of every script but
    CJK. Only the script's name is pickled into the schema."""

    def __init__(self, script: str | None = None):
        self.script = script

    def __eq__(self, other):
        return type(other) is type(self) and other.script == self.script

    def __hash__(self):
        return hash((type(self), self.script))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = _token(kwargs, mode, removestops, positions, chars)
        if not tokenize:  # wildcard, prefix and range terms: the text as one token
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        expression = SCRIPT_WORDS[self.script] if self.script else WORD
        for pos, match in enumerate(expression.finditer(value)):
            t.text = match.group(0)
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
            yield t


class CJKBigramTokenizer(Tokenizer):
    """Runs of Han/kana characters as overlapping bigrams, other text ignored. At index time each
    character is also a unigram (at the position of the bigram it starts), so a one-character query
    finds it; at query time a run gives only its bigrams (one character: a unigram), which the zh
    field joins into a phrase: "信息社会" -> "信息" "息社" "社会" at consecutive positions."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = _token(kwargs, mode, removestops, positions, chars)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        unigrams = mode != "query"
        pos = start_pos
        for match in CJK_RUN.finditer(value):
            run, offset = match.group(0), start_char + match.start()
            grams = [(i, 1) for i in range(len(run))] if len(run) == 1 else []
            for i in range(len(run) - 1):
                if unigrams:
                    grams.append((i, 1))
                grams.append((i, 2))
            if unigrams and len(run) > 1:
                grams.append((len(run) - 1, 1))
            for i, n in grams:
                t.text = run[i:i + n]
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = t.text
                if positions:
                    t.pos = pos + i
                if chars:
                    t.startchar, t.endchar = offset + i, offset + i + n
                yield t
            pos += len(run) + 1  # a gap, so that no phrase spans two runs


class FoldFilter(Filter):
    """Applies `fold` to each token; drops tokens that fold to nothing (a lone tatweel or mark)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            if t.text:
                yield t


# The stemmer of each stemmed language (the languages with a field of their own besides folded and zh).
STEMMERS = {"en": english_stem, "fr": french_stem, "es": spanish_light_stem, "ru": russian_stem,
            "ar": arabic_light_stem}


def _stop_filter() -> StopFilter:
    return StopFilter(stoplist=STOP_WORDS, minsize=2, renumber=True)


def folding_analyzer() -> CompositeAnalyzer:
    """Exact words of any script except CJK, case- and accent-folded."""
    return WordTokenizer() | FoldFilter() | _stop_filter()


def stemming_analyzer(lang: str) -> CompositeAnalyzer:
    """The analyser of one stemmed language field: "en", "fr", "es", "ru" or "ar"."""
    if lang not in STEMMERS:
        raise ValueError(f"no stemming analyser for {lang!r}")
    return (WordTokenizer(LANGUAGE_SCRIPTS[lang]) | FoldFilter() | _stop_filter()
            | StemFilter(stemfn=STEMMERS[lang], cachesize=None))


def arabic_analyzer() -> CompositeAnalyzer:
    """Arabic-script words: tashkeel and tatweel removed, alef/yeh/teh marbuta unified, light10 stems."""
    return stemming_analyzer("ar")


def chinese_analyzer() -> CompositeAnalyzer:
    """Han/kana text as character bigrams (and unigrams at index time), compatibility forms folded."""
    return CJKBigramTokenizer() | FoldFilter()


def analyzer_for(kind: str) -> CompositeAnalyzer:
    if kind == FOLDED:
        return folding_analyzer()
    if kind == "zh":
        return chinese_analyzer()
    return stemming_analyzer(kind)


# --- Schema, documents, queries --------------------------------------------------------------------


def field_names(prefix: str = DEFAULT_PREFIX) -> list[str]:
    return [prefix + kind for kind in KINDS]


def text_fields(prefix: str = DEFAULT_PREFIX, *, stored: bool = False) -> dict[str, FieldType]:
    """The schema fields of one text family, e.g. ``Schema(**text_fields("title_"), ...)`` gives
    title_folded, title_en ... title_zh. With stored=True the original text is stored once, in
    ``<prefix>folded`` (use it for excerpts and highlighting). Boosts are applied at query time
    (`query_fields`), so they can change without a rebuild."""
    fields: dict[str, FieldType] = {}
    for kind in KINDS:
        fields[prefix + kind] = TEXT(
            analyzer=analyzer_for(kind),
            stored=stored and kind == FOLDED,
            phrase=True,
            # Chinese bigrams of one query word must be adjacent; elsewhere "e-government" -> AND.
            multitoken_query="phrase" if kind == "zh" else "default",
        )
    return fields


def _language_code(language: str | None) -> str | None:
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-")[0] or None


def scripts_in(text: str) -> set[str]:
    return {script for script, pattern in HAS_SCRIPT.items() if pattern.search(text)}


def document_values(text: str | None, prefix: str = DEFAULT_PREFIX, language: str | None = None, *,
                    all_languages: bool = True) -> dict[str, str]:
    """The values to pass to ``writer.add_document`` for one text family.

    By default the text goes to every stemmer of a script it contains, whatever its declared
    language (which may be wrong, or the text mixed). With all_languages=False and a declared
    language among LANGUAGES, only that language is stemmed (folded and zh are always filled);
    that saves index space at the cost of missing stems of passages in other languages.
    Fields whose script the text does not contain are left out: their analysers would yield nothing.
    """
    if not text or not text.strip():
        return {}
    scripts = scripts_in(text)
    declared = _language_code(language)
    languages = [declared] if (not all_languages and declared in LANGUAGES) else LANGUAGES
    values = {prefix + FOLDED: text}
    for lang in languages:
        if LANGUAGE_SCRIPTS[lang] in scripts:
            values[prefix + lang] = text
    if "cjk" in scripts:
        values[prefix + "zh"] = text
    return values


def query_fields(prefixes: dict[str, float]) -> tuple[list[str], dict[str, float]]:
    """Field names and boosts for a ``MultifieldParser`` over several families, e.g.
    ``query_fields({"title_": 3.0, "summary_": 2.0, "body_": 1.0})``."""
    names: list[str] = []
    boosts: dict[str, float] = {}
    for prefix, family_boost in prefixes.items():
        for kind in KINDS:
            names.append(prefix + kind)
            boosts[prefix + kind] = family_boost * KIND_BOOSTS[kind]
    return names, boosts


def query_parser(schema, prefixes: dict[str, float] | None = None, **kwargs) -> MultifieldParser:
    """A parser where each query word must match (AND) in at least one field of any family (OR)."""
    names, boosts = query_fields(prefixes or {DEFAULT_PREFIX: 1.0})
    return MultifieldParser(names, schema, fieldboosts=boosts, **kwargs)
