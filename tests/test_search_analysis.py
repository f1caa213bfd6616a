"""The multilingual text analysis of the search index: each analyser, and queries over a tiny index."""

from __future__ import annotations

import pytest
from whoosh import index
from whoosh.fields import ID, Schema

from portal.search import analysis as a

FAMILIES = {"title_": 3.0, "body_": 1.0}

DOCS = {
    "fr": ("Sommet mondial sur la société de l'information",
           "Genève 2003 : les technologies numériques au service du développement. Les États membres."),
    "en": ("World Summit on the Information Society",
           "Building an inclusive information society; IT skills and the political will of governments."),
    "es": ("Cumbre Mundial sobre la Sociedad de la Información",
           "Las sociedades del conocimiento y los Estados Miembros de las Naciones Unidas."),
    "ru": ("Всемирная встреча на высшем уровне по вопросам информационного общества",
           "Построение ОБЩЕСТВА, ориентированного на людей; ёмкость сетей."),
    "ar": ("القمة العالمية لمجتمع المعلومات",
           "بِنَاءُ مُجْتَمَعٍ جامع للمعلومات وإدارة الإنترنت في عام ٢٠٢٥"),
    "zh": ("信息社会世界峰会", "建设以人为本的信息社会，促进发展。"),
    "zh-weather": ("天气预报", "今天天气很好，明天下雨。"),
}


def tokens(analyzer, text, mode="index"):
    return [t.text for t in analyzer(text, mode=mode)]


@pytest.fixture(scope="module")
def ix(tmp_path_factory):
    schema = Schema(id=ID(stored=True, unique=True),
                    **a.text_fields("title_", stored=True), **a.text_fields("body_"))
    directory = tmp_path_factory.mktemp("index")
    ix = index.create_in(directory, schema)
    with ix.writer() as writer:
        for key, (title, body) in DOCS.items():
            writer.add_document(id=key, **a.document_values(title, "title_", key[:2]),
                                **a.document_values(body, "body_", key[:2]))
    # Reopen from disk: the schema (and so every analyser) must survive pickling.
    return index.open_dir(directory)


@pytest.fixture(scope="module")
def search(ix):
    parser = a.query_parser(ix.schema, FAMILIES)

    def run(querystring: str) -> set[str]:
        with ix.searcher() as searcher:
            return {hit["id"] for hit in searcher.search(parser.parse(querystring), limit=None)}

    return run


# --- Analysers -----------------------------------------------------------------------------------------


def test_fold_cases_accents_and_scripts():
    assert a.fold("Genève") == "geneve"
    assert a.fold("SOCIÉTÉ") == "societe"
    assert a.fold("e\u0301te\u0301") == "ete"  # decomposed accents
    assert a.fold("ОБЩЕСТВО") == "общество"
    assert a.fold("ёмкость") == "емкость"
    assert a.fold("новый") == "новый"  # й is a letter of its own
    assert a.fold("œuvre") == "oeuvre"
    assert a.fold("Straße") == "strasse"
    assert a.fold("ﬁn") == "fin"
    assert a.fold("٢٠٢٥") == "2025"
    assert a.fold("مُجْتَمَع") == "مجتمع"
    assert a.fold("أإآٱ") == "اااا"
    assert a.fold("مكتبـــة") == "مكتبه"  # tatweel removed, ta marbuta -> ha
    assert a.fold("مستوى") == "مستوي"


def test_folding_analyzer_keeps_words_whole_and_leaves_cjk_out():
    text = "Le Sommet de Genève : l'information, مُجْتَمَع, WSIS+20, IT, 信息社会 ____"
    assert tokens(a.folding_analyzer(), text) == ["sommet", "geneve", "information", "مجتمع", "wsis", "20", "it"]


def test_french_stemming_after_folding():
    fr = a.stemming_analyzer("fr")
    assert tokens(fr, "société societe sociétés") == ["societ"] * 3
    assert tokens(fr, "Sommet sommets") == ["sommet"] * 2
    assert tokens(fr, "numérique numeriques") == ["numer"] * 2
    assert tokens(fr, "Genève geneve") == ["genev"] * 2


def test_english_and_spanish_stemming():
    assert tokens(a.stemming_analyzer("en"), "society societies") == ["societi"] * 2
    es = a.stemming_analyzer("es")
    assert tokens(es, "sociedad sociedades") == ["sociedad"] * 2
    assert tokens(es, "información informacion informaciones") == ["informacion"] * 3
    assert tokens(es, "luz luces") == ["luz"] * 2


def test_stemmed_fields_only_take_their_script():
    text = "Société общества المعلومات 信息 2025"
    assert tokens(a.stemming_analyzer("en"), text) == ["societ"]
    assert tokens(a.stemming_analyzer("ru"), text) == ["обществ"]
    assert tokens(a.arabic_analyzer(), text) == ["معلوم"]
    assert tokens(a.chinese_analyzer(), text) == ["信", "信息", "息"]


def test_russian_stemming_and_case():
    ru = a.stemming_analyzer("ru")
    assert tokens(ru, "общество ОБЩЕСТВА обществе") == ["обществ"] * 3
    assert tokens(ru, "информационный информационного") == ["информацион"] * 2


def test_arabic_light_stemming():
    ar = a.arabic_analyzer()
    assert tokens(ar, "المعلومات معلومات والمعلومات") == ["معلوم"] * 3
    assert tokens(ar, "إدارة ادارة الإدارة") == ["ادار"] * 3
    assert tokens(ar, "مُجْتَمَعٍ المجتمع") == ["مجتمع"] * 2
    assert tokens(ar, "في من على") == []  # stop words
    # A light stemmer, not a root extractor: world, teacher and information stay apart.
    assert len(set(tokens(ar, "عالم معلم معلومات"))) == 3


def test_chinese_bigrams():
    zh = a.chinese_analyzer()
    assert tokens(zh, "信息社会", mode="query") == ["信息", "息社", "社会"]
    assert tokens(zh, "社", mode="query") == ["社"]
    assert tokens(zh, "社会") == ["社", "社会", "会"]
    assert tokens(zh, "ＷＳＩＳ 信息，社会") == ["信", "信息", "息", "社", "社会", "会"]


def test_chinese_positions_leave_a_gap_between_runs():
    zh = a.chinese_analyzer()
    positions = {t.text: t.pos for t in zh("信息。社会", positions=True, mode="query")}
    assert positions["社会"] - positions["信息"] > 1


# --- Documents and query fields -------------------------------------------------------------------------


def test_document_values_fill_only_fields_of_present_scripts():
    values = a.document_values("Sommet de Genève", "title_")
    assert values == {"title_folded": "Sommet de Genève", "title_en": "Sommet de Genève",
                      "title_fr": "Sommet de Genève", "title_es": "Sommet de Genève"}
    assert set(a.document_values("Всемирная встреча 信息社会")) == {"text_folded", "text_ru", "text_zh"}
    assert set(a.document_values("Sommet", language="fr-FR", all_languages=False)) == {"text_folded", "text_fr"}
    assert set(a.document_values("Sommet", language="xx", all_languages=False)) == {
        "text_folded", "text_en", "text_fr", "text_es"}
    assert a.document_values("  ") == {}
    assert a.LANGUAGE_FIELDS["fr"] == "text_fr" and set(a.LANGUAGE_FIELDS) == {"ar", "en", "es", "fr", "ru", "zh"}


def test_text_fields_store_only_the_folded_field():
    fields = a.text_fields("body_", stored=True)
    assert list(fields) == ["body_folded", "body_en", "body_fr", "body_es", "body_ru", "body_ar", "body_zh"]
    assert [name for name, field in fields.items() if field.stored] == ["body_folded"]


def test_query_fields_multiply_family_and_kind_boosts():
    names, boosts = a.query_fields({"title_": 3.0, "body_": 1.0})
    assert names == a.field_names("title_") + a.field_names("body_")
    assert boosts["title_folded"] == 4.5 and boosts["title_fr"] == 3.0 and boosts["body_folded"] == 1.5


# --- Searching ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ("geneve", {"fr"}),
    ("GENÈVE", {"fr"}),
    ("societe", {"fr"}),
    ("sommets", {"fr"}),
    ("numerique", {"fr"}),
    ("numériques", {"fr"}),
    ("le sommet mondial", {"fr"}),  # "le" is not in the title, but it is a stop word everywhere
    ("etats membres", {"fr"}),
    ("information societies", {"en", "fr"}),  # and the French title's "information" / "société"
    ("IT skills", {"en"}),
    ("political will", {"en"}),
    ("sociedades informacion", {"es"}),
    ("sociedad", {"es"}),
    ("estado miembro", {"es"}),
    ("общества", {"ru"}),
    ("ОБЩЕСТВО", {"ru"}),
    ("информационное", {"ru"}),
    ("емкость", {"ru"}),
    ("معلومات", {"ar"}),
    ("مجتمع", {"ar"}),
    ("الادارة", {"ar"}),
    ("أدارة", {"ar"}),
    ("2025", {"ar"}),
    ("信息社会", {"zh"}),
    ("社会", {"zh"}),
    ("以人为本", {"zh"}),
    ("峰", {"zh"}),
    ("天气", {"zh-weather"}),
])
def test_a_query_in_any_language_finds_its_documents(search, query, expected):
    assert search(query) == expected


@pytest.mark.parametrize("query", [
    "sommeil",  # not there, even though it shares a prefix with "sommet"
    "genova",
    "geneve summit",  # AND: "summit" is only in the English document, "geneve" only in the French one
    "gouvernement",
    "государство",
    "حكومة",
    "社会信息",  # the characters are there, not in that order
    "政府",
    "the",  # only stop words: nothing to search for
])
def test_terms_that_are_not_there_are_not_found(search, query):
    assert search(query) == set()


def test_cross_language_queries_stay_in_their_language(search):
    assert "ru" not in search("societe")
    assert "fr" not in search("общества")
    assert search("sommet") == {"fr"}
    assert search("встреча") == {"ru"}


def test_exact_form_ranks_above_a_stemmed_one(tmp_path):
    schema = Schema(id=ID(stored=True), **a.text_fields())
    ix = index.create_in(tmp_path, schema)
    with ix.writer() as writer:
        writer.add_document(id="stem", **a.document_values("the society of tomorrow"))
        writer.add_document(id="exact", **a.document_values("the societies of tomorrow"))
    with ix.searcher() as searcher:
        hits = searcher.search(a.query_parser(ix.schema).parse("societies"))
        assert [hit["id"] for hit in hits] == ["exact", "stem"]


def test_stemmed_matches_can_be_highlighted_in_the_stored_text(ix):
    parser = a.query_parser(ix.schema, FAMILIES)
    with ix.searcher() as searcher:
        hit = searcher.search(parser.parse("sommets"))[0]
        assert hit["id"] == "fr"
        assert "<b" in hit.highlights("title_fr", text=hit["title_folded"])
