"""The search of the WSIS Stocktaking entries: what the Stocktaking views call. The entries have their
own index (collection.STOCKTAKING), filled and queried with the same analysis, parser and engine as the
contributions'.

    enqueue_entry(entry_id)             index the entry once the transaction commits (jobs.py)
    parse_entry_params(args)            -> (EntryParams, notices): the query string checked
    run_entries(params, facets=...)     -> service.Page of EntryHit, with facet counts

An entry is found exactly when it is published with a published current version, as that version
says (source.py). Filters, one value each (as /search): a facet name and one of its values (below);
unknown values are left out with a notice; several filters must all hold.

    action_line       "C1".."C11"          several per entry
    sdg               "1".."17"            several per entry
    country           ISO alpha-2 ("SN")   several per entry; a global entry has none
    region            an ITU region code (regions.ITU_REGIONS) of its countries; a global entry has none
    scope             "global" (is_global) or "countries" (it names countries)
    stakeholder_type  the owner organisation's (StakeholderType values)
    status            ActivityStatus values
    partners, funding "yes" / "no": looking for partners, for funding
    updated           a year: the entry was confirmed or updated for that year's call
    inactive          "yes" / "no"
    language          the version's language (Language values)

Inactive entries are left out unless the `inactive` filter is given: `inactive=yes` lists only them
(the browse page lists them apart), `inactive=no` is what a search without it gives. Counting
inactive entries beside a search: run it again with inactive=yes and facets=().

Sorting: "relevance" (the default with words), "newest" (publication of the current version; the
default without words), "title" (folded title, A to Z).

The Stocktaking home page's counts (by action line, by region) come from the database
(stocktaking.services.home_counts), which is the source of truth; nothing here counts for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from portal import regions
from portal.extensions import db
from portal.labels import label
from portal.models import ActionLine, ActivityStatus, Language, StakeholderType
from portal.search import engine, highlight, service
from portal.search.collection import STOCKTAKING
from portal.search.jobs import enqueue_entries, enqueue_entry
from portal.search.schema import COUNTRIES, ENTRY_FACETS, GLOBAL, NO, YES

__all__ = ["ENTRY_FACETS", "SORTS", "EntryHit", "EntryParams", "enqueue_entries", "enqueue_entry",
           "parse_entry_params", "run_entries"]

SORTS = ("relevance", "newest", "title")
YEAR = service.YEAR
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
SDG = re.compile(r"^0?([1-9]|1[0-7])$")


@dataclass
class EntryParams:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # facet -> value, as given
    sort: str = ""
    page: int = 1

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS:
            return self.sort
        return "relevance" if self.q.strip() else "newest"

    @property
    def effective_filters(self) -> dict[str, str]:
        """The filters the search applies: inactive entries left out unless asked for."""
        return {"inactive": NO, **self.filters}


@dataclass
class EntryHit:
    id: int
    title: object  # Markup: the words found marked
    organisation: str
    organisation_id: int | None
    stakeholder_type: str
    status: str  # ActivityStatus value
    countries: list[str]  # alpha-2; none for a global entry
    regions: list[str]  # ITU region codes of the countries
    is_global: bool
    action_lines: list[str]
    main_action_line: str | None
    sdgs: list[int]
    looking_for_partners: bool
    looking_for_funding: bool
    start_year: int | None
    end_year: int | None
    published: datetime | None  # the current version's publication
    language: str
    updated: list[int]  # the years it was confirmed or updated for
    inactive: bool
    passage: object  # Markup: a passage of the description or the files with the words found marked

    @property
    def status_label(self) -> str:
        try:
            return label(ActivityStatus(self.status))
        except ValueError:
            return self.status


# --- Parameters --------------------------------------------------------------------------------------


def _check(facet: str, value: str) -> str | None:
    """The value in its canonical form if the facet allows it, else None."""
    if facet == "action_line":
        value = value.upper()
        return value if value in set(db.session.scalars(select(ActionLine.code))) else None
    if facet == "sdg":
        m = SDG.match(value)
        return m.group(1) if m else None
    if facet == "country":
        value = value.upper()
        return value if COUNTRY.match(value) and regions.regions_of(value) is not None else None
    if facet == "region":
        return value if value in regions.ITU_REGIONS else None
    if facet == "scope":
        return value if value in (GLOBAL, COUNTRIES) else None
    if facet in ("partners", "funding", "inactive"):
        return value if value in (YES, NO) else None
    if facet == "updated":
        return value if YEAR.match(value) else None
    enum = {"stakeholder_type": StakeholderType, "status": ActivityStatus, "language": Language}.get(facet)
    if enum is not None:
        return value if value in {m.value for m in enum} else None
    return None


def parse_entry_params(args) -> tuple[EntryParams, list[str]]:
    """EntryParams from a query string (q, the filters, sort, page). Values outside their allow-list
    are dropped, each with a notice."""
    p = EntryParams(q=(args.get("q") or ""))
    return p, service.read_args(args, p, ENTRY_FACETS, _check, SORTS)


# --- Running ------------------------------------------------------------------------------------------


def run_entries(params: EntryParams, *, facets=ENTRY_FACETS) -> service.Page:
    """One page of the entries matching params, with the counts of each facet's values over all of them
    (Page.facets: facet -> [(value, count)], most common first). A query that cannot run gives a Page
    with `message` (and no hits) rather than an exception."""
    return service.run_collection(STOCKTAKING, params, params.effective_filters, facets=facets,
                                  make_hit=_entry_hit)


def _entry_hit(h: engine.Hit, matcher: highlight.Matcher) -> EntryHit:
    info = h.fields.get("info") or {}
    excerpt = h.fields.get("excerpt") or {}
    body = excerpt.get("body") or {}
    try:
        published = datetime.fromisoformat(info["date"]) if info.get("date") else None
    except ValueError:
        published = None
    return EntryHit(
        id=int(h.fields.get("id", 0)), title=highlight.title(matcher, info.get("title", "")),
        organisation=info.get("organisation", ""), organisation_id=info.get("organisation_id"),
        stakeholder_type=info.get("stakeholder_type", ""), status=info.get("status", ""),
        countries=info.get("countries", []), regions=info.get("regions", []),
        is_global=bool(info.get("is_global")), action_lines=info.get("action_lines", []),
        main_action_line=info.get("main_action_line"), sdgs=info.get("sdgs", []),
        looking_for_partners=bool(info.get("looking_for_partners")),
        looking_for_funding=bool(info.get("looking_for_funding")),
        start_year=info.get("start_year"), end_year=info.get("end_year"), published=published,
        language=info.get("language", ""), updated=info.get("updated", []), inactive=bool(info.get("inactive")),
        passage=highlight.passage(matcher, [excerpt.get("summary", ""), *body.values()]),
    )
