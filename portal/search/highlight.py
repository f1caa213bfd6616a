"""Highlighted passages: the words a query matched, marked with <mark> in escaped text.

Only the hits of the page are highlighted, in the short texts stored with each entry (the title,
the summary, the first few thousand characters of each language version). A word matches when its
folded form is a query term of the folded fields, when its stem in a language is a query term of
that language's field, or when it starts with a query prefix; Chinese runs of the query are found
as they are. Every piece of document text is escaped: nothing in a document can inject markup.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.search import analysis as a
from portal.search.engine import Plan
from portal.search.schema import STEMMED

PASSAGE_CHARS = 280
LEAD_CHARS = 70


class Matcher:
    def __init__(self, p: Plan):
        self.folded = set(p.highlight.get(a.FOLDED, ()))
        self.stems = {k: set(p.highlight[k]) for k in STEMMED if p.highlight.get(k)}
        self.prefixes = tuple(sorted(p.prefixes))
        self.cjk = sorted({r for r in p.phrases if r}, key=len, reverse=True)
        self.script_of = {k: a.SCRIPT_WORDS[a.LANGUAGE_SCRIPTS[k]].fullmatch for k in self.stems}
        # The first two letters of every term: a stem starts as its word does (Arabic: after an article
        # or a conjunction of up to three letters), so most words need no stemming to be ruled out.
        terms = [*self.folded, *self.prefixes, *(t for ts in self.stems.values() for t in ts)]
        self.heads = {t[:2] for t in terms}
        self.matches = _Decided(self.word)  # word -> whether it matches: the page's texts repeat words

    def __bool__(self) -> bool:
        return bool(self.folded or self.stems or self.prefixes or self.cjk)

    def word(self, w: str) -> bool:
        f = a.fold(w)
        heads = self.heads
        if f[:2] not in heads and not ("ar" in self.stems and any(f[k:k + 2] in heads for k in (1, 2, 3))):
            return False
        if f in self.folded or (self.prefixes and f.startswith(self.prefixes)):
            return True
        for kind, terms in self.stems.items():
            if self.script_of[kind](w) and a.STEMMERS[kind](f) in terms:
                return True
        return False

    def spans(self, text: str, first_only: bool = False) -> list[tuple[int, int]]:
        out = []
        matches = self.matches
        if (self.folded or self.stems or self.prefixes) and any(map(matches.__getitem__, a.WORD.findall(text))):
            for m in a.WORD.finditer(text):
                if matches[m.group(0)]:
                    out.append(m.span())
                    if first_only:
                        break
        for run in self.cjk:
            i = text.find(run)
            while i >= 0:
                out.append((i, i + len(run)))
                if first_only:
                    break
                i = text.find(run, i + len(run))
        out.sort()
        merged: list[tuple[int, int]] = []
        for s, e in out:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged


class _Decided(dict):
    """decide(key), remembered."""

    def __init__(self, decide):
        super().__init__()
        self.decide = decide

    def __missing__(self, key):
        value = self[key] = self.decide(key)
        return value


def mark(text: str, spans: list[tuple[int, int]]) -> Markup:
    out = Markup("")
    pos = 0
    for s, e in spans:
        out += escape(text[pos:s]) + Markup("<mark>") + escape(text[s:e]) + Markup("</mark>")
        pos = e
    return out + escape(text[pos:])


def title(matcher: Matcher, text: str) -> Markup:
    return mark(text, matcher.spans(text)) if matcher else escape(text)


def _window(text: str, at: int) -> tuple[int, int]:
    start = max(0, at - LEAD_CHARS)
    if start:
        space = text.find(" ", start, at)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + PASSAGE_CHARS)
    if end < len(text):
        space = text.rfind(" ", start + PASSAGE_CHARS // 2, end)
        end = space if space > 0 else end
    return start, end


def passage(matcher: Matcher, texts: list[str]) -> Markup:
    """A passage of the first text with a match, its matches marked; else the start of the first text."""
    texts = [" ".join(t.split()) for t in texts if t and t.strip()]
    if not texts:
        return Markup("")
    if matcher:
        for text in texts:
            first = matcher.spans(text, first_only=True)
            if first:
                start, end = _window(text, first[0][0])
                piece = text[start:end]
                body = mark(piece, matcher.spans(piece))
                return (Markup("… ") if start else Markup("")) + body + (Markup(" …") if end < len(text) else "")
    text = texts[0]
    start, end = _window(text, 0)
    return escape(text[start:end]) + (Markup(" …") if end < len(text) else "")
