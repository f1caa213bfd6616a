"""The search of the WSIS Stocktaking entries: only what is published is found, in every language, as its
current version says; facets filter and count; the drain, check-index, reindex and /healthz cover the
entries' index beside the contributions'. Rows are made directly with the models (as the Stocktaking
services would leave them), so that these tests depend on portal/search alone."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select

from portal.db import run_committed_hooks
from portal.extensions import db
from portal.models import (
    ActionLine,
    ActivityStatus,
    Call,
    CallAnswer,
    Entry,
    EntryCountry,
    EntryFile,
    EntryIndexJob,
    EntryPartner,
    EntrySdg,
    EntryState,
    EntryVersion,
    Language,
    PartnerRole,
    ScanStatus,
)
from portal.search import engine, enqueue_entry, indexer, parse_entry_params, run_entries, store
from portal.search.collection import CONTRIBUTIONS, STOCKTAKING
from tests.test_search import add_doc

S = EntryState
WHEN = datetime(2026, 5, 1, tzinfo=timezone.utc)


# --- Helpers ----------------------------------------------------------------------------------------------


def _version(*, title, state, description="", language="en", status=ActivityStatus.ONGOING, lines=("C1",),
             main=None, sdgs=(), countries=(), is_global=False, partners=(), looking_for_partners=False,
             looking_for_funding=False, files=(), published_at=None) -> EntryVersion:
    v = EntryVersion(state=state, title=title, description=description, status=ActivityStatus(status),
                     language=Language(language), is_global=is_global, looking_for_partners=looking_for_partners,
                     looking_for_funding=looking_for_funding, start_date=datetime(2024, 1, 1).date(),
                     end_date=datetime(2027, 12, 31).date(),
                     published_at=published_at if state in (S.PUBLISHED, S.ARCHIVED) else None)
    by_code = {al.code: al for al in db.session.scalars(select(ActionLine))}
    v.action_lines = [by_code[c] for c in lines]
    v.main_action_line = by_code[main or lines[0]] if lines else None
    v.sdg_rows = [EntrySdg(goal=g) for g in sdgs]
    v.country_rows = [EntryCountry(country=c) for c in countries]
    v.partners = [EntryPartner(name=n, role=PartnerRole.IMPLEMENTING) for n in partners]
    for n, (text, scan) in enumerate(files):
        v.files.append(EntryFile(storage_key=f"st-{n}-{random.random()}", sha256="0" * 64, size=len(text),
                                 filename=f"{n}.txt", kind="txt", mimetype="text/plain", text=text,
                                 scan_status=scan))
    return v


def add_entry(org, *, title, state=S.PUBLISHED, inactive=False, years=(), drain=True, published_at=None,
              **version) -> Entry:
    """An entry written straight into the database, in the state the Stocktaking services leave it in:
    published (and archived) entries have a published current version; the others only a version of
    their own state. Its job is queued and, with drain, drained after the commit."""
    when = published_at or WHEN
    shown = state in (S.PUBLISHED, S.ARCHIVED)
    e = Entry(organisation=org, state=state, inactive=inactive, first_published_at=when if shown else None)
    v = _version(title=title, state=S.PUBLISHED if shown else state, published_at=when, **version)
    e.versions.append(v)
    db.session.add(e)
    db.session.flush()
    if shown:
        e.current_version = v
    for year in years:
        call = db.session.scalar(select(Call).where(Call.year == year)) or Call(
            year=year, deadline=datetime(year, 3, 30, tzinfo=timezone.utc))
        db.session.add(CallAnswer(call=call, entry=e, at=datetime(year, 3, 1, tzinfo=timezone.utc)))
    enqueue_entry(e.id)
    db.session.commit()
    if drain:
        run_committed_hooks()
    return e


def search(app, **args):
    """The page run_entries gives for these query-string arguments (and parse_entry_params' notices)."""
    with app.test_request_context():
        params, notices = parse_entry_params({k: str(v) for k, v in args.items()})
        page = run_entries(params)
    page.notices = notices
    return page


def found(app, **args) -> set[int]:
    page = search(app, **args)
    assert page.message is None, page.message
    return {h.id for h in page.hits}


def counts(page, facet) -> dict[str, int]:
    return dict(page.facets[facet])


def indexed(app) -> dict[int, str]:
    return indexer.index_stamps(store.pointer(app, STOCKTAKING))[0]


@pytest.fixture
def orgs(make):
    ministry = make.organisation("Ministère de l'Économie numérique du Sénégal", country="SN")
    caucus = make.organisation("Rural Connectivity Caucus", stakeholder_type="civil_society")
    return type("Orgs", (), dict(ministry=ministry, caucus=caucus))


# --- Found, in every language, only when published ------------------------------------------------------------


@pytest.mark.parametrize(("language", "title", "query"), [
    ("fr", "Réduire la fracture numérique dans les villages", "fractures"),
    ("fr", "Réduire la fracture numérique dans les villages", "NUMERIQUE"),
    ("en", "Building digital skills for rural women", "skill"),
    ("ru", "Развитие цифровых навыков в сельских районах", "навыки"),
    ("ar", "مجتمع المعلومات في القرى", "معلومات"),
    ("zh", "农村妇女数字技能培训", "数字技能"),
])
def test_a_published_entry_is_found_by_a_word_of_its_title(app, orgs, language, title, query):
    e = add_entry(orgs.ministry, title=title, language=language, countries=("SN",))
    add_entry(orgs.caucus, title="Something else entirely", countries=("BR",))
    page = search(app, q=query)
    assert [h.id for h in page.hits] == [e.id]
    hit = page.hits[0]
    assert "<mark>" in str(hit.title)
    assert hit.organisation == "Ministère de l'Économie numérique du Sénégal"
    assert hit.organisation_id == orgs.ministry.id and hit.countries == ["SN"] and hit.regions == ["africa"]


def test_description_partners_organisation_and_files_are_searched(app, orgs):
    e = add_entry(orgs.caucus, title="Community networks", description="Mesh networks built by the villagers.",
                  partners=("Fondation Kaïros",), files=[("An annual report on motannualreport.", ScanStatus.CLEAN),
                                                        ("Quarantined motquarantine.", ScanStatus.PENDING)])
    assert found(app, q="villager") == {e.id}  # description, English stems
    assert found(app, q="kairos") == {e.id}  # a partner's name, accents folded
    assert found(app, q="caucus") == {e.id}  # the owner's name
    assert found(app, q="motannualreport") == {e.id}  # a file's text
    assert found(app, q="motquarantine") == set()  # a file the public may not download
    page = search(app, q="mesh")
    assert "<mark>Mesh</mark> networks built by the villagers." in str(page.hits[0].passage)


def test_drafts_submitted_returned_rejected_and_archived_entries_are_never_found(app, orgs):
    for state in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.REJECTED, S.ARCHIVED):
        add_entry(orgs.ministry, title=f"Hidden {state.value} motcache", state=state, countries=("SN",))
    live = add_entry(orgs.ministry, title="Visible motcache", countries=("SN",))
    assert found(app, q="motcache") == {live.id}
    assert found(app, q="hidden") == set()
    page = search(app)
    assert page.total == 1 and counts(page, "country") == {"SN": 1}
    assert set(indexed(app)) == {live.id}
    assert db.session.scalar(select(func.count(EntryIndexJob.id))) == 0  # every job drained

    # Archiving a published entry takes it out; restoring brings it back.
    e = db.session.get(Entry, live.id)
    e.state = S.ARCHIVED
    enqueue_entry(e.id)
    db.session.commit()
    run_committed_hooks()
    assert found(app, q="motcache") == set()
    e.state = S.PUBLISHED
    enqueue_entry(e.id)
    db.session.commit()
    run_committed_hooks()
    assert found(app, q="motcache") == {e.id}


def test_an_update_under_moderation_changes_nothing_until_it_is_published(app, orgs):
    e = add_entry(orgs.ministry, title="Telecentres in Casamance", countries=("SN",), sdgs=(4,))
    update = _version(title="Digital libraries in Thiès", state=S.SUBMITTED, countries=("SN", "FR"), sdgs=(9,))
    e.versions.append(update)
    enqueue_entry(e.id)  # whatever a service queues while the update waits
    db.session.commit()
    run_committed_hooks()
    assert found(app, q="telecentres") == {e.id}
    assert found(app, q="libraries") == set() and found(app, q="thies") == set()
    assert found(app, sdg=9) == set() and found(app, country="FR") == set()

    previous = e.current_version  # published, as the secretariat's publish() does
    previous.state = S.ARCHIVED
    update.state = S.PUBLISHED
    update.published_at = WHEN + timedelta(days=30)
    e.current_version = update
    enqueue_entry(e.id)
    db.session.commit()
    run_committed_hooks()
    assert found(app, q="thies") == {e.id}
    assert found(app, q="telecentres") == set()
    assert found(app, sdg=9) == {e.id} and found(app, sdg=4) == set()
    assert found(app, region="europe") == {e.id}
    assert search(app, q="thies").hits[0].published == WHEN + timedelta(days=30)


def test_entries_and_contributions_are_separate_searches(app, client, orgs, make):
    meeting = make.meeting("FORUM-2027", title="WSIS Forum 2027", symbol_prefix="WSIS/FORUM-2027")
    add_doc(meeting, orgs.ministry, title="Contribution motcontribution", text="text")
    add_entry(orgs.ministry, title="Entry motentry", countries=("SN",))
    assert found(app, q="motcontribution") == set()
    html = client.get("/search", query_string={"q": "motentry"}).get_data(as_text=True)
    assert "No published document matches" in html
    assert "WSIS/FORUM-2027/CONTR/1-E" in client.get("/search", query_string={"q": "motcontribution"}).get_data(
        as_text=True)
    assert found(app, q="motentry") != set()
    assert store.pointer(app, STOCKTAKING) != store.pointer(app, CONTRIBUTIONS)
    assert store.pointer(app, STOCKTAKING).parent == store.pointer(app, CONTRIBUTIONS).parent


# --- Facets --------------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(app, orgs):
    d = {}
    d["a"] = add_entry(orgs.ministry, title="Écoles connectées", language="fr", lines=("C1", "C3"), sdgs=(4, 5),
                       countries=("SN", "FR"), looking_for_partners=True, status=ActivityStatus.ONGOING,
                       years=(2024, 2025), published_at=WHEN)
    d["b"] = add_entry(orgs.caucus, title="Broadband for farmers", lines=("C3",), sdgs=(4,), countries=("BR",),
                       looking_for_funding=True, status=ActivityStatus.COMPLETED, years=(2025,),
                       published_at=WHEN + timedelta(days=1))
    # Global: no country and no region, even with a country row left over.
    d["c"] = add_entry(orgs.caucus, title="Alfabetización digital mundial", language="es", lines=("C7",), sdgs=(17,),
                       is_global=True, countries=("CH",), looking_for_partners=True, looking_for_funding=True,
                       status=ActivityStatus.PLANNED, published_at=WHEN + timedelta(days=2))
    d["inactive"] = add_entry(orgs.ministry, title="Old kiosks", lines=("C1",), countries=("EG",), inactive=True,
                              published_at=WHEN + timedelta(days=3))
    return {k: e.id for k, e in d.items()}


def test_facets_count_the_results(app, catalogue):
    page = search(app)
    assert page.total == 3  # the inactive entry is left out unless asked for
    assert counts(page, "sdg") == {"4": 2, "5": 1, "17": 1}
    assert counts(page, "country") == {"SN": 1, "FR": 1, "BR": 1}
    assert counts(page, "region") == {"africa": 1, "europe": 1, "americas": 1}  # the global entry in none
    assert counts(page, "scope") == {"countries": 2, "global": 1}
    assert counts(page, "action_line") == {"C1": 1, "C3": 2, "C7": 1}
    assert counts(page, "partners") == {"yes": 2, "no": 1}
    assert counts(page, "funding") == {"yes": 2, "no": 1}
    assert counts(page, "updated") == {"2024": 1, "2025": 2}
    assert counts(page, "status") == {"ongoing": 1, "completed": 1, "planned": 1}
    assert counts(page, "stakeholder_type") == {"government": 1, "civil_society": 2}
    assert counts(page, "inactive") == {"no": 3}
    assert counts(page, "language") == {"fr": 1, "en": 1, "es": 1}

    page = search(app, sdg=4)
    assert page.total == 2 and counts(page, "region") == {"africa": 1, "europe": 1, "americas": 1}
    assert counts(page, "sdg") == {"4": 2, "5": 1}


@pytest.mark.parametrize(("args", "expected"), [
    ({"sdg": "4"}, {"a", "b"}),
    ({"sdg": "17"}, {"c"}),
    ({"country": "br"}, {"b"}),
    ({"country": "CH"}, set()),  # the global entry names no country
    ({"region": "europe"}, {"a"}),
    ({"region": "africa"}, {"a"}),
    ({"region": "arab_states"}, set()),  # only the inactive entry is there
    ({"region": "arab_states", "inactive": "yes"}, {"inactive"}),
    ({"scope": "global"}, {"c"}),
    ({"action_line": "c3"}, {"a", "b"}),
    ({"partners": "yes"}, {"a", "c"}),
    ({"funding": "no"}, {"a"}),
    ({"updated": "2024"}, {"a"}),
    ({"updated": "2025"}, {"a", "b"}),
    ({"status": "planned"}, {"c"}),
    ({"stakeholder_type": "civil_society"}, {"b", "c"}),
    ({"language": "es"}, {"c"}),
    ({"sdg": "4", "partners": "yes"}, {"a"}),
    ({"inactive": "yes"}, {"inactive"}),
    ({"inactive": "no"}, {"a", "b", "c"}),
    ({"q": "broadband", "sdg": "4"}, {"b"}),
    ({"q": "broadband", "sdg": "5"}, set()),
])
def test_filters_narrow_the_results(app, catalogue, args, expected):
    assert found(app, **args) == {catalogue[k] for k in expected}


@pytest.mark.parametrize("args", [
    {"sdg": "18"}, {"sdg": "x"}, {"country": "XX"}, {"country": "' OR 1=1"}, {"region": "mars"},
    {"action_line": "C99"}, {"partners": "maybe"}, {"updated": "20x4"}, {"status": "dead"},
    {"stakeholder_type": "martian"}, {"language": "xx"}, {"inactive": "1"}, {"scope": "local"},
    {"sort": "id DESC"},
])
def test_unknown_filter_values_are_ignored_with_a_notice(app, catalogue, args):
    page = search(app, **args)
    assert {h.id for h in page.hits} == {catalogue[k] for k in ("a", "b", "c")}
    assert page.notices and "ignored" in page.notices[0]


def test_sorting_and_paging(app, orgs, monkeypatch):
    for i, title in enumerate(["Zèbre project", "alpha project", "Éclair project", "beta project"]):
        add_entry(orgs.caucus, title=title, countries=("BR",), published_at=WHEN + timedelta(days=i))
    titles = lambda **a: [str(h.title) for h in search(app, **a).hits]  # noqa: E731
    assert titles(sort="title") == ["alpha project", "beta project", "Éclair project", "Zèbre project"]
    assert titles() == ["beta project", "Éclair project", "alpha project", "Zèbre project"]  # newest first
    assert titles(q="project", sort="newest")[0] == "beta <mark>project</mark>"
    monkeypatch.setitem(app.config, "SEARCH_PAGE_SIZE", 3)
    second = search(app, sort="title", page=2)
    assert [str(h.title) for h in second.hits] == ["Zèbre project"]
    assert second.total == 4 and second.pages == 2 and second.has_prev and not second.has_next


def test_a_query_that_cannot_run_says_so(app, orgs):
    add_entry(orgs.caucus, title="Anything", countries=("BR",))
    assert "no words to search for" in search(app, q="AND").message
    assert "at least two letters" in search(app, q="a*").message


def test_no_index_yet(app):
    page = search(app, q="anything")
    assert page.total == 0 and page.hits == [] and page.message is None
    assert store.current_dir(store.pointer(app, STOCKTAKING)) is None


# --- Jobs, check-index, reindex, health ------------------------------------------------------------------------


def test_a_job_whose_transaction_rolled_back_leaves_nothing(app, orgs):
    e = add_entry(orgs.caucus, title="Never queued motrollback", countries=("BR",), drain=False)
    db.session.execute(delete(EntryIndexJob))
    db.session.commit()
    with app.test_request_context():
        enqueue_entry(e.id)
        db.session.rollback()
        run_committed_hooks()
    assert db.session.scalar(select(func.count(EntryIndexJob.id))) == 0
    assert found(app, q="motrollback") == set()
    assert store.current_dir(store.pointer(app, STOCKTAKING)) is None  # nothing was even written


def test_a_lost_drain_is_replayed_from_the_job_table(app, orgs):
    e = add_entry(orgs.caucus, title="Replayed motreplay", countries=("BR",), drain=False)  # the process died
    assert found(app, q="motreplay") == set()
    assert indexer.pending(app, STOCKTAKING) == 1
    indexer.drain_on_start(app)  # what the next process does before its first request
    indexer.wait_for_background(10)
    assert found(app, q="motreplay") == {e.id}
    assert db.session.scalar(select(func.count(EntryIndexJob.id))) == 0


def test_a_failing_entry_job_is_kept_and_the_others_go_through(app, orgs, monkeypatch):
    from portal.search import schema

    good = add_entry(orgs.caucus, title="Good motgood", countries=("BR",), drain=False)
    bad = add_entry(orgs.caucus, title="Bad motbad", countries=("BR",), drain=False)
    real = schema.document

    def flaky(src, **kw):
        if src.id == bad.id and isinstance(src, schema.EntrySource):
            raise RuntimeError("disk on fire")
        return real(src, **kw)

    monkeypatch.setattr(indexer, "document", flaky)
    assert indexer.drain(app, wait=1, collection=STOCKTAKING) == "failed"
    job = db.session.scalar(select(EntryIndexJob))
    assert job.entry_id == bad.id and job.attempts == 1 and "disk on fire" in job.last_error
    assert set(indexed(app)) == {good.id}
    monkeypatch.setattr(indexer, "document", real)
    assert indexer.drain(app, wait=1, collection=STOCKTAKING) == "done"
    assert set(indexed(app)) == {good.id, bad.id}


def test_healthz_reports_both_indexes(app, client, orgs, make):
    meeting = make.meeting()
    add_doc(meeting, orgs.ministry, title="Health", text="x")
    add_entry(orgs.caucus, title="One", countries=("BR",))
    add_entry(orgs.caucus, title="Two", countries=("BR",))
    body = client.get("/healthz").get_json()["index"]
    assert body["status"] == "ok" and body["documents"] == 1  # the contributions', as before
    assert body["collections"]["contributions"]["documents"] == 1
    assert body["collections"]["stocktaking"] == {"status": "ok", "jobs_failed": 0, "documents": 2}

    # A job that failed for good: the entries' index is degraded, and so is the whole.
    db.session.add(EntryIndexJob(entry_id=999, attempts=indexer.MAX_ATTEMPTS, last_error="boom"))
    db.session.commit()
    body = client.get("/healthz").get_json()["index"]
    assert body["collections"]["stocktaking"]["status"] == "degraded" and body["status"] == "degraded"
    assert body["collections"]["contributions"]["status"] == "ok"
    db.session.execute(delete(EntryIndexJob))
    db.session.commit()

    # A published entry and no index: "missing".
    ptr = store.pointer(app, STOCKTAKING)
    store.swap(ptr, store.new_dir(ptr))  # an empty directory, no index in it
    engine.manager_for(ptr).invalidate()
    body = client.get("/healthz").get_json()["index"]
    assert body["collections"]["stocktaking"]["status"] == "missing" and body["status"] == "missing"


def test_check_index_finds_missing_stale_and_extra_entries_and_fix_repairs_them(app, runner, orgs, make):
    add_doc(make.meeting(), orgs.ministry, title="A contribution", text="x")
    missing = add_entry(orgs.caucus, title="Lost motlost", countries=("BR",))
    stale = add_entry(orgs.caucus, title="Stale entry", countries=("BR",), sdgs=(4,))
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert result.output.count("The index matches the database.") == 2
    assert "Search index of contributions:" in result.output and "Search index of Stocktaking entries:" in result.output

    # Behind the index's back: an entry's document lost, a change without a job, a stray document.
    ptr = store.pointer(app, STOCKTAKING)
    ix = store.open_for_writing(ptr, STOCKTAKING)
    with ix.writer() as w:
        w.delete_by_term("id", str(missing.id))
        w.add_document(id="999999", stamp="x", info={}, excerpt={})
    db.session.get(Entry, stale.id).inactive = True
    db.session.commit()
    engine.manager_for(ptr).invalidate()
    assert found(app, q="motlost") == set()
    assert found(app, q="stale") == {stale.id}  # still shown as active

    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1
    entries_part = result.output.split("Search index of Stocktaking entries:")[1]
    assert f"Missing: 1: {missing.id}" in entries_part and "Extra: 1: 999999" in entries_part
    assert f"Stale: 1: {stale.id}" in entries_part
    assert result.output.split("Search index of Stocktaking entries:")[0].count("matches the database") == 1

    result = runner.invoke(args=["check-index", "--fix"])
    assert result.exit_code == 0, result.output
    assert "Repaired 3 entries" in result.output
    assert indexer.check(app, STOCKTAKING).clean and indexer.check(app).clean
    assert found(app, q="motlost") == {missing.id}
    assert found(app, q="stale") == set() and found(app, q="stale", inactive="yes") == {stale.id}


def test_a_rebuild_removes_the_jobs_it_covered_and_indexes_each_entry_once(app, orgs):
    ids = {add_entry(orgs.caucus, title=f"Covered motcover {i}", countries=("BR",), drain=False).id
           for i in range(3)}
    assert db.session.scalar(select(func.count(EntryIndexJob.id))) == 3  # committed, not drained
    indexer.reindex(app, procs=1, collection=STOCKTAKING)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EntryIndexJob.id))) == 0
    ctx = engine.Context(store.current_dir(store.pointer(app, STOCKTAKING)))
    try:  # not indexed by the build, then deleted and indexed again by draining the jobs
        assert ctx.doc_count_all == ctx.doc_count == 3
    finally:
        ctx.close()
    assert found(app, q="motcover") == ids and indexer.check(app, STOCKTAKING).clean


def test_a_large_import_rebuilds_the_index_and_its_entries_are_found(app, runner, tmp_path, monkeypatch):
    from portal.stocktaking import importer

    monkeypatch.setattr(importer, "REINDEX_FROM", 2)
    p = tmp_path / "records.csv"
    p.write_text("external_id,title,description,organisation,stakeholder_type,organisation_country,action_lines,"
                 "main_action_line,sdgs,countries,status,start_date,end_date,website\n"
                 "ST-1,Télécentres motimport,Des télécentres.,Ministère des Postes du Mali,Government,ML,C2,C2,4,ML,"
                 "ongoing,2008-01-01,,\n"
                 "ST-2,Open data motimport,Open data.,Open Data Alliance,civil_society,,C7,C7,16,global,ongoing,"
                 "2005-01-01,,\n", encoding="utf-8")
    result = runner.invoke(args=["import-stocktaking", str(p), "--apply"])
    assert result.exit_code == 0, result.output
    assert "Search: 2 entries indexed (the Stocktaking index rebuilt)." in result.output
    assert db.session.scalar(select(func.count(EntryIndexJob.id))) == 0
    ids = set(db.session.scalars(select(Entry.id)))
    assert len(ids) == 2 and found(app, q="motimport") == ids


def test_the_description_is_indexed_as_text_in_the_entry_language(app, orgs):
    from portal.search.schema import EntrySource, entry_document

    doc = entry_document(EntrySource(id=1, indexable=True, title="Radio", description="Télécentres ruraux",
                                     organisation="Caucus", language="fr"))
    assert "ruraux" in doc["body_fr"] and "Caucus" in doc["summary_fr"]
    assert not any("ruraux" in str(v) for k, v in doc.items() if k.startswith("summary_"))
    fr = add_entry(orgs.caucus, title="Radio", description="Des télécentres ruraux partout.", language="fr",
                   countries=("SN",))
    assert found(app, q="télécentre") == {fr.id}  # the French stemmer: télécentres, télécentre
    assert found(app, q="telecentres") == {fr.id}  # without accents


def test_reindex_rebuilds_both_indexes(app, runner, orgs, make):
    add_doc(make.meeting(), orgs.ministry, title="A contribution motcontrib", text="x")
    a = add_entry(orgs.caucus, title="First motrebuild", countries=("BR",))
    b = add_entry(orgs.ministry, title="Second motrebuild", countries=("SN",), drain=False)  # never drained
    db.session.execute(delete(EntryIndexJob))
    db.session.commit()
    before = {c.name: store.current_dir(store.pointer(app, c)) for c in (CONTRIBUTIONS, STOCKTAKING)}
    assert found(app, q="motrebuild") == {a.id}

    result = runner.invoke(args=["reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "Search index of" not in result.output
    first, second = result.output.split("Rebuilding the search index of Stocktaking entries")
    assert "contributions" in first and "Indexed 1 documents" in first
    assert "Indexed 2 documents" in second
    for c in (CONTRIBUTIONS, STOCKTAKING):
        now = store.current_dir(store.pointer(app, c))
        assert now is not None and now != before[c.name]
        assert indexer.check(app, c).clean
    assert found(app, q="motrebuild") == {a.id, b.id}

    result = runner.invoke(args=["reindex", "--procs", "1", "--collection", "stocktaking"])
    assert result.exit_code == 0 and "contributions" not in result.output and "Indexed 2 documents" in result.output
