"""Full-text search: the index layout, the job drain, access, facets, paging, bad input, reindex and
check-index, the moderation queue's search."""

from __future__ import annotations

import io
import random
import re
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.db import run_committed_hooks
from portal.extensions import db
from portal.models import (
    ActionLine,
    Contribution,
    ContributionState,
    DocumentFile,
    IndexJob,
    Language,
    MeetingStatus,
    Series,
    Version,
)
from portal.search import analysis as a
from portal.search import engine, indexer, jobs, schema, store
from tests.conftest import login

S = ContributionState


# --- Helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def world(make):
    meeting = make.meeting("FORUM-2027", title="WSIS Forum 2027", symbol_prefix="WSIS/FORUM-2027",
                           status=MeetingStatus.OPEN)
    senegal = make.organisation("Ministère de l'Économie numérique du Sénégal", country="SN")
    alice = make.user("alice@gouv.sn", organisation=senegal, focal_point=True, name="Alice")
    caucus = make.organisation("Civil Society Caucus", stakeholder_type="civil_society")
    sec = make.user("moderator@itu.example", role="secretariat", name="Moderator")
    return type("World", (), dict(meeting=meeting, senegal=senegal, alice=alice, caucus=caucus, sec=sec))


_keys = iter(range(10**9))


def add_doc(meeting, org, *, title, summary="", text="", language="en", lines=("C1",), series="CONTR",
            published_at=None, extra=(), state=S.PUBLISHED, number=None, drain=True) -> Contribution:
    """A contribution written straight into the database (fast), its job queued and drained."""
    when = published_at or datetime(2027, 3, 1, tzinfo=timezone.utc)
    published = state == S.PUBLISHED
    c = Contribution(meeting=meeting, organisation=org, series=Series(series), original_language=Language(language),
                     state=state, first_published_at=when if published else None)
    if published:
        c.number = number or (db.session.scalar(select(func.max(Contribution.number)).where(
            Contribution.meeting_id == meeting.id, Contribution.series == Series(series))) or 0) + 1
    v = Version(state=state, title=title, summary=summary, revision=0 if published else None,
                published_at=when if published else None)
    v.action_lines = list(db.session.scalars(select(ActionLine).where(ActionLine.code.in_(lines))))
    c.versions.append(v)
    for lang, body in ((language, text), *extra):
        k = next(_keys)
        v.files.append(DocumentFile(language=Language(lang), storage_key=f"test-{k}-{random.random()}",
                                    sha256="0" * 64, size=len(body), filename=f"{k}.txt", kind="txt",
                                    mimetype="text/plain", text=body, published_at=when if published else None))
    db.session.add(c)
    db.session.flush()
    if published:
        c.current_version = v
    jobs.enqueue(c.id)
    db.session.commit()
    if drain:
        run_committed_hooks()
    return c


def hits(client, **args) -> list[str]:
    """The symbols on a results page."""
    r = client.get("/search", query_string=args)
    assert r.status_code == 200
    return re.findall(r'<a class="code" href="/documents/\d+">([^<]+)</a>', r.get_data(as_text=True))


def page_of(client, **args) -> str:
    r = client.get("/search", query_string=args)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def txt(text: str, name: str = "contribution.txt"):
    return (io.BytesIO(text.encode()), name)


def submit(client, meeting, *, title, text, summary="", language="fr", button="submit"):
    data = {"meeting": meeting.code, "title": title, "summary": summary, "action_lines": ["C2", "C3"],
            "language": language, "comments_on": "", "file": txt(text), button: "1"}
    r = client.post_form("/contributions/new", data, page="/contributions/new", content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return db.session.scalars(select(Version).order_by(Version.id.desc())).first()


def decide(client, version, decision, comment=""):
    db.session.refresh(version)
    return client.post_form(f"/secretariat/moderation/{version.id}/decide",
                            {"decision": decision, "lock": str(version.lock_version), "comment": comment},
                            page=f"/secretariat/moderation/{version.id}")


def entries(app) -> dict[int, str]:
    return indexer.index_stamps(store.pointer(app))[0]


# --- The fast analysis path gives exactly the analysers' terms --------------------------------------------

SAMPLES = [
    "Le Sommet de Genève : l'information, WSIS+20, IT, e-government 2025 ____ œuvre",
    "Всемирная встреча на высшем уровне по вопросам информационного общества; ёмкость сетей. Summit 2005",
    "بِنَاءُ مُجْتَمَعٍ جامع للمعلومات وإدارة الإنترنت في عام ٢٠٢٥ WSIS",
    "信息社会世界峰会。建设以人为本的信息社会，促进发展 ＷＳＩＳ 2003 Genève 社",
    "Las sociedades del conocimiento y los Estados Miembros de las Naciones Unidas; luces, informaciones.",
    "the of and a à de la y и في",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("kind", a.KINDS)
def test_fast_index_path_matches_the_analysers(text, kind):
    fast = schema.FastText(kind)
    plain = schema.TEXT(analyzer=a.analyzer_for(kind), phrase=True)
    assert sorted(fast.index(text)) == sorted(plain.index(text))


_PIECES = ["Genève", "SOCIÉTÉ", "e", "\u0301", "œuvre", "ﬁ", "ß", "2025", "٢٠٢٥", "ёмкость", "Й", "Интернет",
           "مُجْتَمَع", "\u0640", "المعلومات", "信息", "社", "か\u3099", "\u3099", "ＷＳＩＳ", "ı", "\u00ad", "\u200d",
           "the", "de", "в", "في", "a", "_", "__", "C1", "WSIS+20", "x", "über", "ǅ", "\u02b0", "𠀀", "IPv6",
           "a\ua789b", "\ua673", "ك\ufe75"]
_SEPARATORS = [" ", " ", " ", "", ", ", ". ", "-", "'", "’", "\n", " (", ") ", "_", "\u3000", "。"]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) + rng.choice(_SEPARATORS) for _ in range(rng.randint(0, 30)))


@pytest.mark.parametrize("kind", a.KINDS)
def test_fast_index_path_matches_the_analysers_on_random_text(kind):
    """Words glued from pieces of every script, marks, joiners, digits, underscores and stop words."""
    rng = random.Random(f"fast-{kind}")
    fast = schema.FastText(kind)
    plain = schema.TEXT(analyzer=a.analyzer_for(kind), phrase=True)
    for _ in range(300):
        text = _random_text(rng)
        assert sorted(fast.index(text)) == sorted(plain.index(text)), text


@pytest.mark.parametrize("language", ["en", "fr", "ru", "ar"])
def test_fast_folded_parts_skip_their_script(language):
    """A body_folded value (parts with the language whose stemmed field took the words wholly in its
    script) indexes the other words of each part, as the folding analyser would see them, a gap of one
    position between parts."""
    rng = random.Random(f"parts-{language}")
    script = a.LANGUAGE_SCRIPTS[language]
    fast = schema.FastText(a.FOLDED)
    full = a.SCRIPT_WORDS[script].fullmatch
    analyser = a.analyzer_for(a.FOLDED)
    for _ in range(100):
        parts = [(rng.choice([language, None]), _random_text(rng)) for _ in range(rng.randint(1, 3))]
        want: dict[str, list[int]] = {}
        start = 0
        for skip, text in parts:
            kept = [w for w in a.WORD.findall(text) if skip is None or full(w) is None]
            tokens = [(t.pos, t.text) for t in analyser(" ".join(kept), positions=True)]
            for pos, term in tokens:
                want.setdefault(term, []).append(start + pos)
            if tokens:
                start += tokens[-1][0] + 2
        assert dict(fast.positions(tuple(parts))) == want, parts


def test_punctuation_stripped_from_chunks_is_never_part_of_a_word():
    for c in schema.EDGE_PUNCTUATION:
        assert a.WORD.findall(f"a{c}b") == ["a", "b"], c
        assert schema.words(f"a{c}b") == ["a", "b"], c


def test_body_words_go_to_one_field_each():
    src = schema.Source(id=1, indexable=True, title="T", files=[
        schema.SourceFile(id=1, language="fr", text="La société numérique 2025 Интернет"),
        schema.SourceFile(id=2, language="zh", text="信息社会 WSIS")])
    doc = schema.document(src)
    fr_terms = {t.decode() for t, *_ in schema.FastText("fr").index(doc["body_fr"])}
    folded = {t.decode() for t, *_ in schema.FastText("folded").index(doc["body_folded"])}
    assert fr_terms == {"societ", "numer"}
    assert folded == {"2025", "интернет", "wsis"}  # what the French stemmer does not take, and the zh file's words
    assert "body_en" not in doc and "body_zh" in doc


# --- Publishing, drain, access -------------------------------------------------------------------------------


def test_published_through_the_portal_is_found_at_once_and_leaves_when_withdrawn(app, client, other_client, world):
    login(client, world.alice.email)
    v = submit(client, world.meeting, title="Réduire la fracture numérique",
               text="La société de l'information doit réduire la fracture numérique. Genève, décembre 2003.")
    public = app.test_client()
    assert hits(public, q="fracture") == []  # submitted: not public
    login(other_client, world.sec.email)
    assert decide(other_client, v, "publish").status_code == 302
    assert db.session.scalar(select(func.count(IndexJob.id))) == 0  # drained after the commit
    assert hits(public, q="geneve") == ["WSIS/FORUM-2027/CONTR/1-F"]  # accents folded
    assert hits(public, q="sociétés") == ["WSIS/FORUM-2027/CONTR/1-F"]  # French stems
    html = page_of(public, q="societe")
    assert "La <mark>société</mark> de l&#39;information" in html
    assert "Ministère de l&#39;Économie numérique du Sénégal" in html

    c = db.session.get(Contribution, v.contribution_id)
    r = client.post_form(f"/contributions/{c.id}/withdraw", {"reason": "Remplacée."})
    assert r.status_code == 302
    assert hits(public, q="fracture") == []
    assert hits(public) == []
    assert entries(app) == {}


def test_nothing_unpublished_is_ever_found(app, client, other_client, world):
    """Draft, submitted, returned, rejected, withdrawn, a revision under moderation and a language
    version waiting for the secretariat: none is found, counted or offered as a facet."""
    login(client, world.alice.email)
    login(other_client, world.sec.email)
    submit(client, world.meeting, title="Brouillon alpha", text="motbrouillon", button="save")
    submit(client, world.meeting, title="Soumis beta", text="motsoumis")
    returned = submit(client, world.meeting, title="Renvoyé gamma", text="motrenvoye")
    decide(other_client, returned, "return", "Précisez.")
    rejected = submit(client, world.meeting, title="Rejeté delta", text="motrejete")
    decide(other_client, rejected, "reject", "Hors sujet.")
    withdrawn = submit(client, world.meeting, title="Retiré epsilon", text="motretire")
    decide(other_client, withdrawn, "publish")
    client.post_form(f"/contributions/{withdrawn.contribution_id}/withdraw", {"reason": ""})

    live = submit(client, world.meeting, title="Publié zeta", text="motpublie version une")
    decide(other_client, live, "publish")
    cid = live.contribution_id
    r = client.post_form(f"/contributions/{cid}/revise",
                         {"title": "Publié zeta révisé", "summary": "", "action_lines": ["C2"], "submit": "1",
                          "file": txt("motrevision version deux")}, content_type="multipart/form-data")
    assert r.status_code == 302
    r = client.post_form(f"/contributions/{cid}/languages/new",
                         {"language": "en", "file": txt("motlanguage english version")},
                         content_type="multipart/form-data")
    assert r.status_code == 302

    public = app.test_client()
    for word in ("motbrouillon", "brouillon", "motsoumis", "motrenvoye", "motrejete", "motretire", "retire",
                 "motrevision", "revise", "motlanguage", "english", "epsilon", "delta"):
        assert hits(public, q=word) == [], word
        assert hits(client, q=word) == [], word  # the owner's search is the public one
    assert hits(public, q="motpublie") == ["WSIS/FORUM-2027/CONTR/2-F"]
    html = page_of(public)
    assert "1 document<" in html and "Publié zeta" in html and "Retiré" not in html
    assert "English (" not in html  # the pending language version is no facet value
    assert set(entries(app)) == {cid}

    # Published, the revision replaces the text, and the language version joins.
    revision = db.session.scalars(select(Version).where(Version.contribution_id == cid).order_by(Version.id.desc())).first()
    decide(other_client, revision, "publish")
    assert hits(public, q="motrevision") == ["WSIS/FORUM-2027/CONTR/2(Rev.1)-F"]
    assert hits(public, q="motpublie") == []
    f = db.session.scalar(select(DocumentFile).where(DocumentFile.language == Language.ENGLISH))
    assert f.published_at is None and f.version_id == live.id  # it belongs to the first version
    other_client.post_form(f"/secretariat/moderation/files/{f.id}", {"decision": "publish"})
    assert hits(public, q="motlanguage") == []  # a file of a version that is no longer current


def test_a_rolled_back_change_never_reaches_the_index(app, client, world, make):
    quiet = make.organisation("Unverified Org", verified=False)
    author = make.user("bob@unverified.example", organisation=quiet)
    login(client, author.email)
    v = submit(client, world.meeting, title="Jamais publié", text="motjamais")
    sec = app.test_client()
    login(sec, world.sec.email)
    before = sorted(p.name for p in store.pointer(app).parent.glob("index*"))
    r = decide(sec, v, "publish")  # unverified: needs confirmation, the transaction rolls back
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(IndexJob.id))) == 0
    assert hits(app.test_client(), q="motjamais") == []
    assert sorted(p.name for p in store.pointer(app).parent.glob("index*")) == before

    # And in code: a job written in a transaction that rolls back is gone with it.
    with app.test_request_context():
        jobs.enqueue(v.contribution_id)
        db.session.rollback()
        run_committed_hooks()
    assert db.session.scalar(select(func.count(IndexJob.id))) == 0


def test_jobs_left_by_a_dead_process_are_replayed(app, world):
    c = add_doc(world.meeting, world.senegal, title="Replayed entry", text="motreplay", drain=False)
    db.session.add(IndexJob(contribution_id=c.id))  # as if the process died before draining
    db.session.commit()
    assert entries(app) == {}
    assert indexer.drain(app, wait=1) == "done"
    assert set(entries(app)) == {c.id}
    assert db.session.scalar(select(func.count(IndexJob.id))) == 0


def test_many_small_commits_merge_segments_and_lose_nothing(app, client, world):
    docs = [add_doc(world.meeting, world.senegal, title=f"Drained one by one {i}", text="motmerge")
            for i in range(12)]  # twelve commits: Whoosh merges the small segments on the way
    assert db.session.scalar(select(func.count(IndexJob.id))) == 0
    assert len(hits(client, q="motmerge")) == 12
    ctx = engine.Context(store.current_dir(store.pointer(app)))
    try:
        assert len(ctx.leaves) < 12
    finally:
        ctx.close()
    with app.test_request_context():  # a withdrawal after the merges
        c = db.session.get(Contribution, docs[3].id)
        c.state = S.WITHDRAWN
        jobs.enqueue(c.id)
        db.session.commit()
        run_committed_hooks()
    assert len(hits(client, q="motmerge")) == 11
    assert indexer.check(app).clean


def test_a_busy_writer_leaves_the_jobs_and_a_retry_drains_them(app, client, world):
    lock = store.WriterLock(store.pointer(app))
    assert lock.acquire()
    try:
        with app.test_request_context():
            c = add_doc(world.meeting, world.senegal, title="Waiting entry", text="motwaiting")
        assert db.session.scalar(select(func.count(IndexJob.id))) == 1  # left for the holder
    finally:
        lock.release()
    indexer.wait_for_background(10)
    assert db.session.scalar(select(func.count(IndexJob.id))) == 0
    assert hits(client, q="motwaiting") == [c.symbol(0)]


def test_a_failing_job_is_kept_with_its_error_and_the_others_go_through(app, world, monkeypatch):
    good = add_doc(world.meeting, world.senegal, title="Good entry", text="motgood", drain=False)
    bad = add_doc(world.meeting, world.senegal, title="Bad entry", text="motbad", drain=False)
    real = schema.document

    def flaky(src, **kw):
        if src.id == bad.id:
            raise RuntimeError("disk on fire")
        return real(src, **kw)

    monkeypatch.setattr(indexer, "document", flaky)
    assert indexer.drain(app, wait=1) == "failed"
    job = db.session.scalar(select(IndexJob))
    assert job.contribution_id == bad.id and job.attempts == 1 and "disk on fire" in job.last_error
    assert set(entries(app)) == {good.id}
    monkeypatch.setattr(indexer, "document", real)
    assert indexer.drain(app, wait=1) == "done"
    assert set(entries(app)) == {good.id, bad.id}


def test_renaming_an_organisation_updates_its_entries(app, client, world):
    c = add_doc(world.meeting, world.caucus, title="Caucus statement", text="motcaucus")
    from portal.organisations.services import update_organisation

    with app.test_request_context():
        org = db.session.merge(world.caucus)
        sec = db.session.merge(world.sec)
        update_organisation(org, sec, name="Global Digital Rights Caucus", country="CH",
                            stakeholder_type=org.stakeholder_type, website=None, description=None)
        db.session.commit()
        run_committed_hooks()
    assert hits(client, q="rights") == [c.symbol(0)]
    assert "Global Digital Rights Caucus" in page_of(client, q="motcaucus")
    assert indexer.check(app).clean


# --- Queries -------------------------------------------------------------------------------------------------


@pytest.fixture
def library(app, world, make):
    """Documents in the six languages, two meetings, several action lines and years."""
    other = make.meeting("PC-TEST", title="PrepCom test", symbol_prefix="WSIS/PCT", start_date=datetime(2003, 9, 15).date(),
                         end_date=datetime(2003, 9, 26).date())
    d = {}
    d["fr"] = add_doc(world.meeting, world.senegal, language="fr", lines=("C1", "C5"),
                      title="Sommet mondial sur la société de l'information",
                      summary="Genève 2003 : les technologies numériques au service du développement.",
                      text="Les États membres s'engagent à réduire la fracture numérique. " * 3,
                      published_at=datetime(2027, 3, 2, tzinfo=timezone.utc))
    d["en"] = add_doc(world.meeting, world.caucus, language="en", lines=("C5",),
                      title="Building confidence and security in the use of ICTs",
                      summary="Civil society on cybersecurity.",
                      text="An inclusive information society needs trust. Digital divide, e-government and "
                           "political will of governments.", extra=[("es", "La sociedad de la información y "
                                                                             "la confianza.")],
                      published_at=datetime(2027, 3, 3, tzinfo=timezone.utc))
    d["ru"] = add_doc(other, world.senegal, language="ru", lines=("C2",), series="INF",
                      title="Всемирная встреча на высшем уровне по вопросам информационного общества",
                      text="Построение ОБЩЕСТВА, ориентированного на людей; ёмкость сетей.",
                      published_at=datetime(2003, 9, 20, tzinfo=timezone.utc))
    d["ar"] = add_doc(other, world.caucus, language="ar", lines=("C3",),
                      title="القمة العالمية لمجتمع المعلومات",
                      text="بِنَاءُ مُجْتَمَعٍ جامع للمعلومات وإدارة الإنترنت في عام ٢٠٢٥",
                      published_at=datetime(2003, 9, 21, tzinfo=timezone.utc))
    d["zh"] = add_doc(other, None, language="zh", lines=("C1",), series="DOC",
                      title="信息社会世界峰会", text="建设以人为本的信息社会，促进发展。",
                      published_at=datetime(2003, 9, 22, tzinfo=timezone.utc))
    return {k: c.symbol(0) for k, c in d.items()}


@pytest.mark.parametrize(("q", "expected"), [
    ("geneve", {"fr"}),
    ("societe", {"fr"}),
    ("sommets", {"fr"}),
    ("fracture numerique", {"fr"}),
    ('"fracture numérique"', {"fr"}),
    ('"numérique fracture"', set()),
    ("fract*", {"fr"}),
    ("informati*", {"fr", "en"}),
    ("information societies", {"fr", "en"}),
    ("information society", {"en"}),
    ("information OR общества", {"fr", "en", "ru"}),
    ("information NOT trust", {"fr"}),
    ("information -trust", {"fr"}),
    ("e-government", {"en"}),
    ("confianza", {"en"}),  # a published translation is searched too
    ("общества", {"ru"}),
    ("ОБЩЕСТВО", {"ru"}),
    ("емкость", {"ru"}),
    ("المعلومات", {"ar"}),
    ("الادارة", {"ar"}),
    ("2025", {"ar"}),
    ("信息社会", {"zh"}),
    ("以人为本", {"zh"}),
    ("Sénégal", {"fr", "ru"}),  # the organisation's name
    ("FORUM-2027 CONTR", {"fr", "en"}),  # the symbol
    ("WSIS/PCT/INF/1-R", {"ru"}),
])
def test_queries_in_every_language(client, library, q, expected):
    assert set(hits(client, q=q)) == {library[k] for k in expected}


def test_highlights_are_escaped_and_marked(client, world):
    add_doc(world.meeting, world.senegal, title="<script>alert('x')</script> Scripted title",
            summary="<b>bold</b> & more", text="Text with <img src=x onerror=alert(1)> scripted words.")
    html = page_of(client, q="scripted")
    assert "<script>alert" not in html and "<img src=x" not in html
    # (the English stem of "scripted" is "script": the tag's name is marked too, inside escaped text)
    assert "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; <mark>Scripted</mark> title" in html
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>scripted</mark> words" in html
    assert "<script>" not in page_of(client, q="<script>alert(1)</script>")


def test_facets_count_the_current_results_and_filters_narrow_them(client, library):
    html = page_of(client)
    assert "5 documents" in html
    facets = _facets(html)
    assert facets["Meeting"] == {"WSIS Forum 2027": 2, "PrepCom test": 3}
    assert facets["Action line"]["C5 Building confidence and security in the use of ICTs"] == 2
    assert facets["Action line"]["C1 The role of public governance authorities and all stakeholders in the "
                                 "promotion of ICTs for development"] == 2
    assert facets["Language"] == {"English": 1, "French": 1, "Spanish": 1, "Russian": 1, "Arabic": 1, "Chinese": 1}
    assert facets["Year"] == {"2027": 2, "2003": 3}
    assert facets["Series"] == {"Contribution": 3, "Information document": 1, "Official document": 1}
    assert facets["Stakeholder type"] == {"Government": 2, "Civil society": 2}

    html = page_of(client, meeting="PC-TEST", action_line="C1")
    assert "1 document<" in html
    facets = _facets(html)
    assert facets["Meeting"] == {"PrepCom test": 1} and facets["Language"] == {"Chinese": 1}
    assert hits(client, meeting="PC-TEST", action_line="C1") == [library["zh"]]
    assert hits(client, q="information", language="es") == [library["en"]]
    assert hits(client, stakeholder_type="civil_society", year="2003") == [library["ar"]]
    assert hits(client, series="INF") == [library["ru"]]
    # The current filters are shown and removable; facet links keep the words.
    assert "Remove the filter Meeting: PrepCom test" in html and "Remove all filters" in html
    assert 'href="/search?q=information&amp;language=es"' in page_of(client, q="information")


def _facets(html: str) -> dict[str, dict[str, int]]:
    out = {}
    for name, body in re.findall(r'<h3 id="facet-\w+">([^<]+)</h3>\s*<ul class="plain">(.*?)</ul>', html, re.S):
        out[name] = {label.strip(): int(n) for label, n in
                     re.findall(r'>([^<>]+)</(?:a|strong)> <span class="count">\((\d+)\)</span>', body)}
    return out


def test_paging_sorting_and_links(client, world):
    base = datetime(2027, 1, 1, tzinfo=timezone.utc)
    for i in range(45):
        add_doc(world.meeting, world.senegal, title=f"Paging document {i:02d}", text="commonword " * (i % 5 + 1),
                published_at=base + timedelta(days=i), drain=(i == 44))
    first = hits(client, q="commonword")
    assert len(first) == 20
    assert len(hits(client, q="commonword", page=3)) == 5
    assert hits(client, q="commonword", page=99) == hits(client, q="commonword", page=3)  # clamped to the last
    newest = hits(client, q="commonword", sort="newest")
    assert newest[0] == "WSIS/FORUM-2027/CONTR/45-E" and newest[19] == "WSIS/FORUM-2027/CONTR/26-E"
    assert hits(client, sort="oldest")[0] == "WSIS/FORUM-2027/CONTR/1-E"
    all_pages = set()
    for n in (1, 2, 3):
        all_pages |= set(hits(client, q="commonword", sort="oldest", page=n))
    assert len(all_pages) == 45
    html = page_of(client, q="commonword", sort="oldest", page=2)
    assert 'href="/search?q=commonword&amp;sort=oldest&amp;page=3"' in html
    assert 'href="/search?q=commonword&amp;sort=oldest&amp;page=1"' in html
    assert "Page 2 of 3" in html


def test_spelling_suggestion_when_nothing_matches(client, library):
    html = page_of(client, q="buildinq confidence")
    assert "No published document matches" in html
    assert "Did you mean:" in html and 'href="/search?q=building+confidence"' in html
    assert "Did you mean" not in page_of(client, q="zzyzx")


def test_searching_within_a_meeting_or_an_action_line(client, library):
    assert hits(client, q="information", meeting="FORUM-2027") == sorted(
        [library["fr"], library["en"]], key=hits(client, q="information", meeting="FORUM-2027").index)
    assert set(hits(client, q="information", meeting="FORUM-2027")) == {library["fr"], library["en"]}
    assert set(hits(client, q="information", action_line="C2")) == {library["ru"]} or \
        hits(client, q="общества", action_line="C2") == [library["ru"]]
    page = client.get("/meetings/FORUM-2027").get_data(as_text=True)
    assert 'name="meeting" value="FORUM-2027"' in page  # the box on the meeting page


BAD_QUERIES = ["*", "title:(", '"unclosed', "x" * 10_000, "a*", "(a b", "x (-b)", ")", "AND", "NOT", '"',
               "OR OR OR", "\x00\x01", "a" * 600, "%_%", "'; DROP TABLE contributions; --", "*:*", "[a TO z]",
               "title_folded:motsecret", "body_folded:*", "mot^10", " ".join(["mot"] * 60), "é*", "🙂", "‮"]


def test_malformed_queries_get_an_answer_or_a_message_quickly(client, world):
    add_doc(world.meeting, world.senegal, title="Public doc", text="motpublic common words")
    add_doc(world.meeting, world.senegal, title="Secret draft", text="motsecret common words", state=S.DRAFT)
    for q in BAD_QUERIES:
        started = time.monotonic()
        r = client.get("/search", query_string={"q": q})
        assert r.status_code == 200, q
        assert time.monotonic() - started < 3, q
        html = r.get_data(as_text=True)
        assert "Secret draft" not in html and "motsecret" not in html.replace(q, "") or q == "title_folded:motsecret"
        assert "Secret draft" not in html
    assert "use at most 500 characters" in page_of(client, q="x" * 10_000)
    assert "Type at least two letters before *" in page_of(client, q="a*")
    assert "no words to search for" in page_of(client, q="AND")
    assert hits(client, q="*") == ["WSIS/FORUM-2027/CONTR/1-E"]


@pytest.mark.parametrize("args", [
    {"sort": "id; DROP TABLE contributions"}, {"sort": "score DESC"}, {"meeting": "NOPE"}, {"meeting": "' OR 1=1 --"},
    {"action_line": "C99"}, {"year": "20x3"}, {"year": "1066"}, {"language": "xx"}, {"series": "SECRET"},
    {"stakeholder_type": "martian"}, {"page": "-1"}, {"page": "abc"}, {"page": "99999999999999999999"},
    {"page": "1e9"}, {"q": "common", "unknown": "1"},
])
def test_parameters_outside_their_allow_list_are_ignored(client, world, args):
    c = add_doc(world.meeting, world.senegal, title="Common doc", text="common")
    r = client.get("/search", query_string=args)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert c.symbol(0) in html
    if set(args) & {"sort", "meeting", "action_line", "year", "language", "series", "stakeholder_type"}:
        assert "ignored" in html


def test_empty_index_and_no_index(app, client):
    assert store.current_dir(store.pointer(app)) is None
    html = page_of(client, q="anything")
    assert "No published document matches" in html
    assert "Nothing has been published yet." in page_of(client)


# --- Reindex, swap, check -----------------------------------------------------------------------------------


def test_reindex_swaps_while_readers_keep_finding_the_documents(app, world):
    docs = [add_doc(world.meeting, world.senegal, title=f"Steady document {i}", text="motsteady", drain=(i == 29))
            for i in range(30)]
    symbols = {c.symbol(0) for c in docs}
    ptr = store.pointer(app)
    first = store.current_dir(ptr)
    errors, rounds, stop = [], [0], threading.Event()

    def reader():
        c = app.test_client()
        while not stop.is_set():
            try:
                found = set(hits(c, q="motsteady", page=1)) | set(hits(c, q="motsteady", page=2))
                if found != symbols:
                    errors.append(f"found {len(found)}")
                rounds[0] += 1
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(repr(exc))

    t = threading.Thread(target=reader)
    t.start()
    try:
        time.sleep(0.2)
        for _ in range(2):
            stats = indexer.reindex(app, procs=1)
            assert stats.documents == 30
    finally:
        time.sleep(0.2)
        stop.set()
        t.join(30)
    assert not errors, errors[:5]
    assert rounds[0] > 3
    assert store.current_dir(ptr) != first and not first.exists()  # swapped, the old one removed
    assert indexer.check(app).clean


def test_reindex_catches_up_with_changes_made_during_the_build(app, world, monkeypatch):
    keep = add_doc(world.meeting, world.senegal, title="Kept", text="motkept")
    gone = add_doc(world.meeting, world.senegal, title="Withdrawn during the build", text="motgone")
    real_build = indexer.build

    def build_then_change(*args, **kwargs):
        n = real_build(*args, **kwargs)
        with app.test_request_context():  # a change drained into the old index meanwhile
            c = db.session.get(Contribution, gone.id)
            c.state = S.WITHDRAWN
            jobs.enqueue(c.id)
            db.session.commit()
            run_committed_hooks()
        return n

    monkeypatch.setattr(indexer, "build", build_then_change)
    stats = indexer.reindex(app, procs=1)
    assert stats.caught_up == 1
    assert set(entries(app)) == {keep.id}


def test_reindex_and_check_index_commands(app, runner, world):
    c = add_doc(world.meeting, world.senegal, title="Command doc", text="motcommand")
    other = add_doc(world.meeting, world.caucus, title="Other doc", text="motother")
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0 and "matches the database" in result.output

    # Differences made behind the index's back: missing, extra, stale.
    ptr = store.pointer(app)
    ix = store.open_for_writing(ptr)
    with ix.writer() as w:
        w.delete_by_term("id", str(c.id))
        w.add_document(id="999999", stamp="x", info={}, excerpt={})
    db.session.get(Contribution, other.id).organisation.name = "Renamed Without A Job"
    db.session.commit()
    engine.manager_for(ptr).invalidate()
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1
    assert f"Missing: 1: {c.id}" in result.output and "Extra: 1: 999999" in result.output
    assert f"Stale: 1: {other.id}" in result.output
    result = runner.invoke(args=["check-index", "--fix"])
    assert result.exit_code == 0, result.output
    assert "Repaired 3 entries" in result.output
    assert indexer.check(app).clean

    result = runner.invoke(args=["reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 documents" in result.output
    assert indexer.check(app).clean


def test_healthz_reports_the_index(app, client, world):
    add_doc(world.meeting, world.senegal, title="Health", text="x")
    body = client.get("/healthz").get_json()
    assert body["index"]["status"] == "ok" and body["index"]["documents"] == 1


# --- The moderation queue --------------------------------------------------------------------------------------


def test_the_secretariat_searches_the_pending_queue(app, client, other_client, world):
    login(client, world.alice.email)
    submit(client, world.meeting, title="Accès universel", summary="Résumé sur Genève",
           text="Le texte parle de cybersécurité et de confiance.")
    submit(client, world.meeting, title="Infrastructure rurale", text="Réseaux dans les villages.")
    login(other_client, world.sec.email)

    def queue(q):
        r = other_client.get("/secretariat/moderation", query_string={"q": q})
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        return {t for t in ("Accès universel", "Infrastructure rurale") if t in html}, html

    assert queue("acces")[0] == {"Accès universel"}  # title, accents folded
    assert queue("GENEVE")[0] == {"Accès universel"}  # summary
    assert queue("cybersecurite")[0] == {"Accès universel"}  # extracted text
    assert queue('"dans les villages"')[0] == {"Infrastructure rurale"}
    assert queue("acces OR villages")[0] == {"Accès universel", "Infrastructure rurale"}
    assert queue("reseaux -acces")[0] == {"Infrastructure rurale"}
    assert queue("infra*")[0] == {"Infrastructure rurale"}
    assert queue("introuvable")[0] == set()
    found, html = queue("a")
    assert "There are no words to search for." in html
    assert queue("%")[0] == set() and queue("_")[0] == set()
    # Pending items are not in the public search.
    assert hits(app.test_client(), q="acces") == []
    # Stakeholders cannot use the queue.
    assert client.get("/secretariat/moderation", query_string={"q": "acces"}).status_code in (403, 404)


# --- The bulk writer ---------------------------------------------------------------------------------------


def test_analysis_memos_stay_small_outside_a_bulk_build(app, world, tmp_path):
    """A web process indexes a few documents at a time: its memos of words stay small. A bulk build
    holds a whole vocabulary, and empties the memos when it ends."""
    limit = schema.Memo.limit
    assert limit <= 50_000
    for i in range(3):
        add_doc(world.meeting, world.senegal, title=f"Mémoire {i}", summary="Sommet",
                text=" ".join(f"mot{i}x{j}" for j in range(limit // 2)), language="fr", lines=("C1",), drain=False)
    directory = tmp_path / "bulk"
    directory.mkdir()
    assert indexer.build(app, directory, procs=1) == 3
    assert schema.Memo.limit == limit
    assert all(len(memo) == 0 for memo in schema.Memo.instances)
    # Indexing through Whoosh's writer (as the drain does) keeps each memo under the limit.
    field = schema.FastText(a.FOLDED)
    field.index(" ".join(f"autre{j}" for j in range(limit + 10)))
    assert max(len(memo) for memo in schema.Memo.instances) <= limit
    assert field.positions("autre5 autre6")["autre6"] == [1]


def _contents(directory) -> tuple[dict, dict]:
    """What an index holds, whatever its segments: each (field, term)'s postings as (contribution id,
    weight, value), and each (contribution id, field)'s length."""
    from whoosh import index as whoosh_index

    postings, lengths = {}, {}
    with whoosh_index.open_dir(str(directory)).reader() as r:
        ids = {d: r.stored_fields(d)["id"] for d in r.all_doc_ids()}
        for fieldname, term in r.all_terms():
            m = r.postings(fieldname, term)
            items = []
            while m.is_active():
                items.append((ids[m.id()], round(m.weight(), 4), m.value()))
                m.next()
            postings[fieldname, term] = sorted(items)
        for f in r.indexed_field_names():
            for d, cid in ids.items():
                lengths[cid, f] = r.doc_field_length(d, f)
    return postings, lengths


def test_a_parallel_build_in_rounds_indexes_what_one_process_indexes(app, world, tmp_path, monkeypatch):
    """The bulk build through Whoosh's multiprocessing writer (forked processes, a segment each, rounds
    of SEARCH_REINDEX_CHUNK documents per process) indexes what a build in one process indexes."""
    from whoosh import index as whoosh_index

    from portal.search import bulk

    monkeypatch.setattr(bulk, "PARALLEL_FROM", 0)
    monkeypatch.setitem(app.config, "SEARCH_REINDEX_CHUNK", 60)  # a first round of 120 (two processes), then 30
    texts = ["La société de l'information à Genève, sommet mondial.", "Доступ к информации для всех.",
             "El acceso universal a la sociedad de la información.", "信息社会世界峰会", "مجتمع المعلومات"]
    for i in range(150):
        lang = ("fr", "ru", "es", "zh", "ar")[i % 5]
        add_doc(world.meeting, world.senegal if i % 2 else world.caucus, title=f"Information {i}",
                summary=f"Sommet {i % 7}", text=texts[i % 5] + f" mot{i} " * (1 + i % 4), language=lang,
                lines=(f"C{1 + i % 11}",), drain=False)
    parallel, single = tmp_path / "parallel", tmp_path / "single"
    parallel.mkdir()
    single.mkdir()
    assert indexer.build(app, parallel, procs=2) == 150
    monkeypatch.setitem(app.config, "SEARCH_REINDEX_CHUNK", 10_000)
    assert indexer.build(app, single, procs=1) == 150
    with whoosh_index.open_dir(str(parallel)).reader() as r:
        assert len(r.leaf_readers()) == 3
    with whoosh_index.open_dir(str(single)).reader() as r:
        assert len(r.leaf_readers()) == 1
    got, want = _contents(parallel), _contents(single)
    assert got[0].keys() == want[0].keys()
    assert [k for k in want[0] if got[0][k] != want[0][k]] == []
    assert got[1] == want[1]
    assert max(len(v) for v in want[0].values()) > 128  # posting lists of several blocks


def test_a_failed_build_process_fails_the_build(app, world, tmp_path, monkeypatch):
    """Whoosh's multiprocessing writer leaves out the segment of a process that failed: the build says
    so instead of swapping in an index that misses documents. A failure while reading the documents
    ends the processes."""
    import multiprocessing

    from portal.search import bulk

    monkeypatch.setattr(bulk, "PARALLEL_FROM", 0)
    for i in range(120):
        add_doc(world.meeting, world.senegal, title=f"Document {i}", text="motboom" if i == 110 else "motcalme",
                drain=False)
    real_index = schema.FastText.index

    def index(self, value, **kwargs):  # runs in the forked processes
        if "motboom" in str(value):
            raise ValueError("cannot index this")
        return real_index(self, value, **kwargs)

    monkeypatch.setattr(schema.FastText, "index", index)
    (tmp_path / "failed").mkdir()
    with pytest.raises(RuntimeError, match="index build failed"):
        indexer.build(app, tmp_path / "failed", procs=2)
    monkeypatch.setattr(schema.FastText, "index", real_index)

    real_document = indexer.document

    def document(src, **kwargs):  # in this process, after the first job went to a writer process
        if src.title == "Document 110":
            raise OSError("the database went away")
        return real_document(src, **kwargs)

    monkeypatch.setattr(indexer, "document", document)
    (tmp_path / "interrupted").mkdir()
    with pytest.raises(OSError, match="went away"):
        indexer.build(app, tmp_path / "interrupted", procs=2)
    assert multiprocessing.active_children() == []
