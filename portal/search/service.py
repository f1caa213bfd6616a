"""The public search: parameters checked against their allow-lists, the query parsed and run, hits
highlighted, facets counted. Views call `parse_params` and `run`; nothing here reads the request.

`run_collection` is the search of any collection (its index, the same parser and engine); `run` is the
contributions' search, and entries.py the Stocktaking entries'."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from math import ceil

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from whoosh import qparser

from portal.extensions import db
from portal.models import ActionLine, Language, Meeting, Series, StakeholderType
from portal.search import analysis as a
from portal.search import engine, highlight, store
from portal.search.collection import BY_NAME, CONTRIBUTIONS, Collection
from portal.search.schema import FACETS, FAMILIES, FAMILY_BOOSTS, STEMMED

log = logging.getLogger("portal.search")

SORTS = ("relevance", "newest", "oldest")
MAX_TERMS = 40
YEAR = re.compile(r"^(19[89]\d|20\d\d|2100)$")


@dataclass
class Params:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = ""
    page: int = 1

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS:
            return self.sort
        return "relevance" if self.q.strip() else "newest"


@dataclass
class Hit:
    id: int
    symbol: str
    title: object  # Markup
    organisation: str
    stakeholder_type: str
    meeting: str
    date: datetime | None
    passage: object  # Markup
    language: str
    languages: list[str]
    action_lines: list[str]
    series: str


@dataclass
class Page:
    """What the results page shows; quacks like the pager macro's page object. (The Stocktaking search
    gives one too, with its own params and hits: entries.py.)"""

    params: object  # Params, or entries.EntryParams
    hits: list = field(default_factory=list)  # of Hit, or entries.EntryHit
    total: int = 0
    page: int = 1
    per_page: int = 20
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    message: str | None = None  # a query that cannot run, said plainly
    notices: list[str] = field(default_factory=list)
    suggestion: str | None = None
    elapsed_ms: float = 0.0
    max_pages: int = 50

    @property
    def pages(self) -> int:
        return min(self.max_pages, ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# --- Parameters --------------------------------------------------------------------------------------


def _allowed(facet: str) -> set[str]:
    if facet == "meeting":
        return set(db.session.scalars(select(Meeting.code)))
    if facet == "action_line":
        return set(db.session.scalars(select(ActionLine.code)))
    if facet == "stakeholder_type":
        return {s.value for s in StakeholderType}
    if facet == "language":
        return {x.value for x in Language}
    if facet == "series":
        return {s.value for s in Series}
    return set()


def parse_params(args) -> tuple[Params, list[str]]:
    """Params from a query string. Values outside their allow-list are dropped, with a notice."""
    p = Params(q=(args.get("q") or ""))
    return p, read_args(args, p, FACETS, _checked, SORTS)


def _checked(facet: str, value: str) -> str | None:
    if facet == "year":
        return value if YEAR.match(value) else None
    if facet == "action_line":
        value = value.upper()
    return value if value in _allowed(facet) else None


def read_args(args, p, facets, check, sorts) -> list[str]:
    """Fill p (filters, sort, page) from a query string: each facet's value in the canonical form that
    check(facet, value) gives, or dropped with a notice when it gives None. Returns the notices."""
    notices: list[str] = []
    for facet in facets:
        value = (args.get(facet) or "").strip()
        if not value:
            continue
        checked = check(facet, value)
        if checked is not None:
            p.filters[facet] = checked
        else:
            notices.append(str(_l("The filter %(name)s=“%(value)s” is not known and was ignored.",
                                  name=facet, value=value[:40])))
    sort = args.get("sort") or ""
    if sort and sort not in sorts:
        notices.append(str(_l("Unknown sort order ignored.")))
    else:
        p.sort = sort
    try:
        p.page = max(1, int(args.get("page", "1")))
    except ValueError:
        p.page = 1
    return notices


# --- Parsing -------------------------------------------------------------------------------------------

_parsers = threading.local()


def parser(schema, key: str = CONTRIBUTIONS.name):
    """A MultifieldParser over every text field, one per thread and collection (key): words AND-ed,
    "phrases", OR, NOT, -word, word*, (groups). No field syntax, ranges, boosts or single quotes
    (l'information is a word)."""
    mine = getattr(_parsers, "value", None)
    if mine is None:
        mine = _parsers.value = {}
    cached = mine.get(key)
    if cached is not None and cached[0] is schema:
        return cached[1]
    p = a.query_parser(schema, FAMILY_BOOSTS)
    for plugin in (qparser.FieldsPlugin, qparser.WildcardPlugin, qparser.RangePlugin, qparser.BoostPlugin,
                   qparser.SingleQuotePlugin):
        p.remove_plugin_class(plugin)
    p.add_plugin(qparser.PrefixPlugin())
    # -word and +word only at the start of a word: "e-government" is one word, not "e NOT government".
    p.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    mine[key] = (schema, p)
    return p


class BadQuery(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def compile_query(q: str, schema, key: str = CONTRIBUTIONS.name) -> engine.Plan:
    q = q.strip()
    if not q or q == "*":
        return engine.plan(None)
    limit = current_app.config["SEARCH_QUERY_MAX_CHARS"]
    if len(q) > limit:
        raise BadQuery(_l("Your search is too long: use at most %(n)d characters.", n=limit))
    if len(q.split()) > MAX_TERMS:
        raise BadQuery(_l("Your search has too many words: use at most %(n)d.", n=MAX_TERMS))
    try:
        parsed = parser(schema, key).parse(q)
    except Exception:  # noqa: BLE001 - whoosh's parser on odd input: say so, never a 500
        log.info("query not understood: %r", q[:200])
        raise BadQuery(_l("This search could not be understood. Check the quotes and brackets.")) from None
    if parsed is None or engine.is_null(parsed):
        raise BadQuery(_l("There are no words to search for: very short words such as “a” or “de” are "
                          "not searched. Add a word, or use the filters to browse."))
    plan = engine.plan(parsed)
    plan.phrases = a.CJK_RUN.findall(q)
    return plan


# --- Running ---------------------------------------------------------------------------------------------


def run(params: Params, *, facets=FACETS) -> Page:
    """The contributions' search."""
    return run_collection(CONTRIBUTIONS, params, params.filters, facets=facets, make_hit=_hit)


def run_collection(collection: Collection, params, filters: dict[str, str], *, facets, make_hit) -> Page:
    """Search one collection's index: params gives q, page and effective_sort; filters the facet values
    every hit has; make_hit(engine hit, highlight matcher) what the page lists."""
    cfg = current_app.config
    per_page = cfg["SEARCH_PAGE_SIZE"]
    page = Page(params=params, per_page=per_page, max_pages=cfg["SEARCH_MAX_PAGES"])
    page.page = min(params.page, page.max_pages)
    started = time.perf_counter()
    key = collection.name
    ptr = store.pointer(collection=collection)
    mgr = engine.manager_for(ptr)
    ctx = mgr.acquire(ptr, cfg["SEARCH_REFRESH_SECONDS"])
    if ctx is None:  # no index yet: nothing is published, or it is being built
        try:
            compile_query(params.q, _empty_schema(key), key)
        except BadQuery as exc:
            page.message = str(exc.message)
        return page
    try:
        try:
            plan = compile_query(params.q, ctx.schema, key)
        except BadQuery as exc:
            page.message = str(exc.message)
            return page

        def search_page():  # reads ctx, plan and page.page when called
            return engine.search(ctx, plan, filters, sort=params.effective_sort,
                                 offset=(page.page - 1) * per_page, limit=per_page, facets=facets)

        try:
            try:
                out = search_page()
            except OSError:  # a rebuilt index was swapped in and the old one removed meanwhile
                mgr.release(ctx)
                ctx = None
                mgr.invalidate()
                ctx = mgr.acquire(ptr, cfg["SEARCH_REFRESH_SECONDS"])
                if ctx is None:
                    return page
                plan = compile_query(params.q, ctx.schema, key)
                out = search_page()
        except engine.QueryTooBroad:
            page.message = str(_l("Type at least two letters before *."))
            return page
        if out.total and not out.hits and page.page > 1:  # past the last page: show the last one
            page.page = max(1, min(page.max_pages, ceil(out.total / per_page)))
            out = search_page()
        page.total = out.total
        page.facets = {f: out.facets[f].most_common() for f in facets}
        matcher = highlight.Matcher(plan)
        page.hits = [make_hit(h, matcher) for h in out.hits]
        if not out.total and plan.query is not None:
            page.suggestion = suggest(ctx, params.q)
    finally:
        if ctx is not None:
            mgr.release(ctx)
        page.elapsed_ms = (time.perf_counter() - started) * 1000
    return page


@lru_cache(maxsize=4)
def _empty_schema(key: str = CONTRIBUTIONS.name):
    return BY_NAME[key].build_schema()


def _hit(h: engine.Hit, matcher: highlight.Matcher) -> Hit:
    info = h.fields.get("info") or {}
    excerpt = h.fields.get("excerpt") or {}
    body = excerpt.get("body") or {}
    lang = info.get("language", "")
    texts = [excerpt.get("summary", "")] + [body[lang]] * (lang in body) + [t for k, t in body.items() if k != lang]
    try:
        date = datetime.fromisoformat(info["date"]) if info.get("date") else None
    except ValueError:
        date = None
    return Hit(
        id=int(h.fields.get("id", 0)), symbol=info.get("symbol", ""),
        title=highlight.title(matcher, info.get("title", "")),
        organisation=info.get("organisation", ""), stakeholder_type=info.get("stakeholder_type", ""),
        meeting=info.get("meeting", ""), date=date, passage=highlight.passage(matcher, texts),
        language=lang, languages=info.get("languages", []), action_lines=info.get("action_lines", []),
        series=info.get("series", ""),
    )


def suggest(ctx: engine.Context, q: str) -> str | None:
    """The query with each word that is nowhere in the index replaced by the closest word of a title or
    summary, when there is one."""
    words = re.findall(r"\w+", q)
    changed = False
    out = q
    with ctx.lock:
        for w in words:
            f = a.fold(w)
            if len(f) < 3 or f in a.STOP_WORDS or a.CJK_RUN.search(w) or f.upper() in {"AND", "OR", "NOT"}:
                continue
            if any(ctx.searcher.doc_frequency(fam + a.FOLDED, f) for fam in FAMILIES):
                continue
            if any(ctx.searcher.doc_frequency("body_" + k, t.text)
                   for k in STEMMED
                   for t in ctx.schema["body_" + k].analyzer(f, mode="query")):
                continue
            best = None
            for fam in ("title_", "summary_"):
                found = ctx.searcher.corrector(fam + a.FOLDED).suggest(f, limit=1, maxdist=2, prefix=1)
                if found:
                    best = found[0]
                    break
            if best and best != f:
                out = re.sub(rf"(?<!\w){re.escape(w)}(?!\w)", best, out, count=1)
                changed = True
    return out if changed else None
