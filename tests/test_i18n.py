"""The interface in English, French and Spanish: complete catalogues, language choice, pages, form errors,
mail in the recipient's language, placeholders and French typography, right-to-left readiness."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from flask import render_template_string
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.i18n import (
    LANG_COOKIE,
    LANGUAGE_NAMES,
    TRANSLATIONS_DIR,
    available_languages,
    language_name,
    text_direction,
)
from portal.models import MeetingStatus, User
from tests.conftest import PASSWORD, Client, _config, link_in, login, mail_to

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("fr", "es")
NBSP, NNBSP = "\u00a0", "\u202f"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


# Catalogues -----------------------------------------------------------------------------------------------

def _keywords() -> list[str]:
    """The extraction keywords of `make translations`, so that the test and the Makefile cannot drift."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^I18N_KEYWORDS\s*:=\s*(.+)$", makefile, re.M)
    assert m, "I18N_KEYWORDS is missing from the Makefile"
    return m.group(1).split()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Every message of the current tree (portal/ and templates/, as babel.cfg maps them), freshly extracted."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *_keywords(),
                                "-o", str(pot), "--ignore-dirs", ".* ._ instance benchmarks node_modules",
                                str(ROOT)])
    with open(pot, "rb") as fh:
        catalog = read_po(fh)
    assert len(catalog) > 400  # the whole interface, not an empty extraction
    return catalog


def _catalogue(lang: str):
    with open(TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_and_none_is_fuzzy(template, lang):
    """Fails when someone adds or changes an interface text without translating it: run
    `make translations`, translate what is new or fuzzy in the .po files, and this test passes."""
    catalog = _catalogue(lang)
    assert not catalog.fuzzy, f"the {lang} catalogue header is marked fuzzy"
    missing, untranslated, fuzzy = [], [], []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None:
            missing.append(message.id)
        elif found.fuzzy:
            fuzzy.append(message.id)
        elif not all(_forms(found)) or len(_forms(found)) != catalog.num_plurals and found.pluralizable:
            untranslated.append(message.id)
    assert not missing, f"{lang}: not in the catalogue (run `make translations`): {missing}"
    assert not untranslated, f"{lang}: not translated: {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy (check the translation, then remove the flag): {fuzzy}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_translation_keeps_the_placeholders_exactly(lang):
    catalog = _catalogue(lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        wanted = {m.group(0) for text in _ids(message) for m in PLACEHOLDER.finditer(text)}
        for form in _forms(message):
            got = {m.group(0) for m in PLACEHOLDER.finditer(form)}
            stray = "%" in PLACEHOLDER.sub("", form).replace("%%", "")
            if got != wanted or stray:
                problems.append((message.id, form))
    assert not problems
    assert not [e for m in catalog for e in m.check(catalog)]  # Babel's own python-format checks


def test_french_typography():
    """A no-break space (U+00A0, or the narrow U+202F) before : ; ! ? and inside « », the typographic
    apostrophe ’ everywhere, and French quotation marks rather than English ones."""
    problems = []
    for message in _catalogue("fr"):
        if not message.id:
            continue
        for text in _forms(message):
            without_urls = re.sub(r"https?://\S*", "", text)
            if re.search(r" [:;!?»]|« ", without_urls):
                problems.append(("plain space", text))
            if re.search(rf"[^{NBSP}{NNBSP}][;!?]", without_urls) or re.search(rf"[^{NBSP}{NNBSP}]:", without_urls):
                problems.append(("no no-break space before : ; ! ?", text))
            if re.search(rf"«[^{NBSP}{NNBSP}]|[^{NBSP}{NNBSP}]»", text):
                problems.append(("guillemets without no-break spaces", text))
            if "'" in text or "“" in text or "”" in text:
                problems.append(("straight apostrophe or English quotes", text))
    assert not problems


def test_spanish_questions_open_with_an_inverted_mark():
    for message in _catalogue("es"):
        for text in _forms(message) if message.id else []:
            assert text.count("¿") == text.count("?") and text.count("¡") == text.count("!"), text


@pytest.mark.parametrize("lang", LANGS)
def test_terminology(lang):
    """The key terms of the UN/ITU register (see the report of issue 6)."""
    catalog = _catalogue(lang)
    expected = {
        "fr": {"Action lines": "Grandes orientations", "Symbol": "Cote", "Civil society": "Société civile",
               "Academia": "Milieux universitaires", "Return for changes": "Renvoyer pour modification",
               "Withdraw": "Retirer", "focal point": "point focal", "WSIS": "SMSI",
               "Stakeholder": "Partie prenante", "Secretariat": "Secrétariat"},
        "es": {"Action lines": "Líneas de acción", "Symbol": "Signatura", "Civil society": "Sociedad civil",
               "Academia": "Instituciones académicas", "Return for changes": "Devolver para modificaciones",
               "Withdraw": "Retirar", "focal point": "punto focal", "WSIS": "CMSI",
               "Stakeholder": "Parte interesada", "Secretariat": "Secretaría"},
    }[lang]
    assert {k: catalog.get(k).string for k in expected} == expected


def test_mail_templates_keep_the_literal_subject_line():
    for path in (ROOT / "templates" / "mail").glob("[!_]*.txt"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("Subject: {"), path.name


# Choosing the language ------------------------------------------------------------------------------------

def _html(response) -> str:
    return response.get_data(as_text=True)


def test_english_is_the_default_without_accept_language(client):
    html = _html(client.get("/"))
    assert '<html lang="en" dir="ltr">' in html and "WSIS contribution portal" in html


@pytest.mark.parametrize("lang, heading, switcher", [
    ("fr", "Portail des contributions au SMSI", "Français"),
    ("es", "Portal de contribuciones a la CMSI", "Español"),
])
def test_accept_language_chooses_the_interface(client, lang, heading, switcher):
    html = _html(client.get("/", headers={"Accept-Language": f"{lang}-CH,{lang};q=0.9,en;q=0.5"}))
    assert f'<html lang="{lang}" dir="ltr">' in html and heading in html
    assert re.search(rf'value="{lang}" lang="{lang}" dir="ltr"\s+aria-current="true" class="current">{switcher}<', html)


@pytest.mark.parametrize("headers, cookie", [
    ({"Accept-Language": "de-DE,de;q=0.9"}, None),
    ({}, "xx"),
    ({"Accept-Language": "tlh"}, "../../etc"),
])
def test_unknown_languages_fall_back_to_english(client, headers, cookie):
    if cookie:
        client.set_cookie(LANG_COOKIE, cookie)
    html = _html(client.get("/meetings/", headers=headers))
    assert '<html lang="en" dir="ltr">' in html and "Past meetings" in html


def test_an_unknown_cookie_gives_way_to_the_browser(client):
    client.set_cookie(LANG_COOKIE, "xx")
    assert '<html lang="es"' in _html(client.get("/", headers={"Accept-Language": "es"}))


def test_switcher_remembers_the_choice_in_a_cookie(client):
    r = client.post_form("/language", {"lang": "fr", "next": "/meetings/"})
    assert r.status_code == 302 and r.headers["Location"] == "/meetings/"
    assert f"{LANG_COOKIE}=fr" in r.headers["Set-Cookie"]
    html = _html(client.get("/meetings/", headers={"Accept-Language": "es"}))  # the choice beats the browser
    assert '<html lang="fr"' in html and "Réunions passées" in html

    r = client.post_form("/language", {"lang": "zz", "next": "/meetings/"})
    assert f"{LANG_COOKIE}=en" in r.headers["Set-Cookie"]
    assert '<html lang="en"' in _html(client.get("/meetings/"))


def test_switcher_saves_the_preference_of_a_logged_in_user(app, client, make):
    user = make.user("pref@example.org")
    login(client, user.email)
    client.post_form("/language", {"lang": "es", "next": "/account"})
    db.session.refresh(user)
    assert user.locale == "es"

    other = app.test_client()  # another browser, no cookie: the profile decides
    login(other, user.email)
    html = _html(other.get("/account", headers={"Accept-Language": "fr"}))
    assert '<html lang="es"' in html and "Su cuenta" in html


def test_a_saved_language_the_portal_no_longer_offers_falls_back(client, make):
    user = make.user("old@example.org")
    user.locale = "de"
    db.session.commit()
    login(client, user.email)
    assert '<html lang="en"' in _html(client.get("/account"))
    r = client.post_form("/account", {"name": "Old", "locale": "zz"}, page="/account")
    assert r.status_code == 400 and "Not a valid choice." in _html(r)


# Pages ---------------------------------------------------------------------------------------------------

PAGES = {
    "fr": {
        "/": ["Grandes orientations", "Réunions", "Renforcement des capacités", "Se connecter"],
        "/meetings/": ["Réunions passées", "Comité", "Sommet", "Documents publiés"],
        "/meetings/II-PC-1": ["Date limite des contributions", "28 mai 2004, 23:59 (heure de Genève)",
                              "Cotes des documents", "Lieu"],
        "/action-lines/": ["Grandes orientations du SMSI", "Établir la confiance et la sécurité dans l’utilisation des TIC"],
        "/login": ["Mot de passe oublié\u202f?", "Se souvenir de moi", 'value="Se connecter"'],
        "/register": ["Créer un compte", "Type de partie prenante", "Milieux universitaires", "Suisse",
                      "Uniquement pour une nouvelle organisation"],
    },
    "es": {
        "/": ["Líneas de acción", "Reuniones", "Creación de capacidad", "Iniciar sesión"],
        "/meetings/": ["Reuniones anteriores", "Cumbre", "Documentos publicados"],
        "/meetings/II-PC-1": ["Plazo para las contribuciones", "28 de mayo de 2004, 23:59 (hora de Ginebra)",
                              "Signaturas de los documentos", "Lugar"],
        "/action-lines/": ["Líneas de acción de la CMSI", "Crear confianza y seguridad en la utilización de las TIC"],
        "/login": ["¿Ha olvidado su contraseña?", "Recordarme", 'value="Iniciar sesión"'],
        "/register": ["Crear una cuenta", "Tipo de parte interesada", "Instituciones académicas", "Suiza",
                      "Solo para una nueva organización"],
    },
}


@pytest.mark.parametrize("lang", LANGS)
def test_public_pages_in_french_and_spanish(client, lang):
    for path, texts in PAGES[lang].items():
        html = _html(client.get(path, headers={"Accept-Language": lang}))
        assert f'<html lang="{lang}" dir="ltr">' in html, path
        for text in texts:
            assert text in html, (lang, path, text)
        for english in ("Log in", "Meetings</a>", "Action lines<"):
            assert english not in html, (lang, path, english)


def test_country_names_and_their_order_follow_the_language(client):
    html = _html(client.get("/register", headers={"Accept-Language": "fr"}))
    assert html.index(">Égypte<") < html.index(">Espagne<") < html.index(">Zambie<")
    assert ">Sénégal<" in html and ">Bolivie<" in html  # the usual short name, as in English
    html = _html(client.get("/register", headers={"Accept-Language": "es"}))
    assert ">Suiza<" in html and ">Senegal<" in html and ">Alemania<" in html


@pytest.mark.parametrize("lang, texts", [
    ("fr", ["Soumettre une contribution", "Grandes orientations", "Enregistrer le brouillon",
            "Organisations coauteurs", "Choisissez la langue", "Mo au maximum"]),
    ("es", ["Presentar una contribución", "Líneas de acción", "Guardar borrador",
            "Organizaciones copatrocinadoras", "Elija el idioma", "MB como máximo"]),
])
def test_submission_form_in_french_and_spanish(client, make, lang, texts):
    make.meeting("FORUM-2027", title="WSIS Forum 2027", status=MeetingStatus.OPEN)
    org = make.organisation("Ministère de l'Économie numérique", country="SN")
    make.organisation("Internet Society", stakeholder_type="technical_community")  # a possible co-sponsor
    user = make.user("member@gouv.sn", organisation=org)
    client.set_cookie(LANG_COOKIE, lang)
    login(client, user.email)
    html = _html(client.get("/contributions/new"))
    assert f'<html lang="{lang}"' in html
    for text in texts:
        assert text in html, text


@pytest.mark.parametrize("lang, texts", [
    ("fr", ["Modération", "En attente de modération", "Tardives uniquement", "Appliquer",
            "Aucun élément n’est en attente de modération."]),
    ("es", ["Moderación", "Pendiente de moderación", "Solo fuera de plazo", "Aplicar",
            "No hay nada pendiente de moderación."]),
])
def test_moderation_queue_in_french_and_spanish(secretariat_client, lang, texts):
    html = _html(secretariat_client.get("/secretariat/moderation", headers={"Accept-Language": lang}))
    assert f'<html lang="{lang}"' in html
    for text in texts:
        assert text in html, text


# Form errors ---------------------------------------------------------------------------------------------

def test_login_error_in_french(client, make):
    make.user("someone@example.org")
    client.set_cookie(LANG_COOKIE, "fr")
    r = login(client, "someone@example.org", "not the password")
    assert r.status_code == 200
    assert "L’adresse de courriel ou le mot de passe est incorrect." in _html(r)


@pytest.mark.parametrize("lang, texts", [
    ("fr", ["Saisissez une adresse de courriel valide.", "Utilisez au moins 10 caractères.", "Ce champ est requis.",
            "Indiquez le pays de la nouvelle organisation.", "Veuillez corriger les champs signalés ci-dessous."]),
    ("es", ["Introduzca una dirección de correo electrónico válida.", "Utilice al menos 10 caracteres.",
            "Este campo es obligatorio.", "Indique el país de la nueva organización."]),
])
def test_registration_errors_in_french_and_spanish(client, lang, texts):
    r = client.post_form("/register", {"name": "", "email": "not-an-address", "password": "short",
                                       "organisation": "Nouvelle organisation", "country": "",
                                       "stakeholder_type": ""},
                         page="/register", headers={"Accept-Language": lang})
    assert r.status_code == 400
    html = _html(r)
    for text in texts:
        assert text in html, text
    assert "This field is required." not in html and "Enter a valid email address." not in html


@pytest.mark.parametrize("lang, texts", [
    ("fr", ["Ce champ est requis.", "N'est pas une date/heure valide.".replace("'", "&#39;"),
            "La date de fin ne peut pas précéder la date de début.",
            "Utilisez des majuscules, des chiffres et des traits d’union, p. ex. PC-4.",
            "Indiquez le lieu, ou cochez «\u00a0Tenue en ligne\u00a0».", "Choisissez un fuseau horaire dans la liste."]),
    ("es", ["Este campo es obligatorio.", "No es un valor para la fecha y la hora válido.",
            "La fecha de finalización no puede ser anterior a la de inicio.",
            "Indique el lugar o marque «Celebrada en línea».", "Elija un huso horario de la lista."]),
])
def test_meeting_form_errors_in_french_and_spanish(secretariat_client, lang, texts):
    secretariat_client.set_cookie(LANG_COOKIE, lang)
    data = {"code": "forum 2027!", "title": "", "type": "forum", "place": "", "start_date": "2027-05-14",
            "end_date": "2027-05-10", "deadline": "not a date", "deadline_tz": "Mars/Olympus",
            "symbol_prefix": "WSIS/FORUM-2027", "status": "open"}
    r = secretariat_client.post_form("/meetings/new", data, page="/meetings/new")
    assert r.status_code == 400
    html = _html(r)
    for text in texts:
        assert text in html, text


def test_upload_limits_and_sizes_in_the_reader_language(app):
    from portal.extract import EXTRACTION_ERRORS, FileRejected
    from portal.templating import filesize

    # Each request has its own application context (and so its own flask_babel state), as under a server.
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "fr"}):
        assert str(FileRejected("size", max_bytes=20 * 1024 * 1024)) == \
            "Ce fichier dépasse la taille maximale de 20\u00a0Mo."
        assert filesize(2048) == "2\u00a0Ko" and filesize(1536 * 1024) == "1,5\u00a0Mo"
        assert render_template_string("{{ _(e) }}", e=EXTRACTION_ERRORS["encrypted"]) == \
            "Le document est chiffré\u202f; son texte n’a pas pu être lu."
    with app.app_context(), app.test_request_context():
        assert str(FileRejected("size", max_bytes=1024)) == "This file is larger than the limit of 1 KB."
        assert filesize(1536 * 1024) == "1.5 MB"


# Mail ----------------------------------------------------------------------------------------------------

def test_confirmation_mail_in_the_language_of_registration(app, client):
    r = client.post_form("/register", {"name": "Amina Diallo", "email": "amina@gouv.sn", "password": PASSWORD,
                                       "organisation": "Ministère de l'Économie numérique", "country": "SN",
                                       "stakeholder_type": "government"},
                         page="/register", headers={"Accept-Language": "fr"})
    assert r.status_code == 302
    (msg,) = mail_to(app, "amina@gouv.sn")
    assert msg["Subject"] == "Confirmez votre adresse de courriel"
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Bonjour Amina Diallo,")
    assert "Le lien est valable 72 heures." in body and "Portail des contributions au SMSI" in body
    assert "/confirm/" in link_in(msg, "/confirm/")


@pytest.mark.parametrize("lang, subject, sentence", [
    ("fr", "Choisissez un nouveau mot de passe", "Le lien ne peut servir qu’une fois, pendant 60 minutes."),
    ("es", "Elija una nueva contraseña", "El enlace solo puede utilizarse una vez, durante 60 minutos."),
])
def test_reset_mail_in_the_recipient_language_whatever_the_requester(app, client, make, lang, subject, sentence):
    user = make.user(f"reset-{lang}@example.org")
    user.locale = lang
    db.session.commit()
    client.post_form("/password/forgot", {"email": user.email})  # asked from an English page
    (msg,) = mail_to(app, user.email)
    assert msg["Subject"] == subject
    assert sentence in msg.get_body(preferencelist=("plain",)).get_content()


def test_mail_to_a_person_without_a_language_stays_english(app, client, make):
    user = make.user("plain@example.org")
    assert db.session.scalar(select(User.locale).where(User.id == user.id)) is None
    client.post_form("/password/forgot", {"email": user.email}, headers={"Accept-Language": "fr"})
    (msg,) = mail_to(app, user.email)
    assert msg["Subject"] == "Choose a new password"


# More languages later: data, not code ---------------------------------------------------------------------

def test_languages_come_from_the_catalogues():
    assert set(available_languages()) >= {"en", "fr", "es"}
    assert available_languages(["en", "fr", "xx", "de"]) == ["en", "fr"]  # unknown or without catalogue: out
    assert [language_name(c) for c in ("en", "fr", "es", "ar", "zh", "ru")] == \
        ["English", "Français", "Español", "العربية", "中文", "Русский"]
    assert [text_direction(c) for c in ("ar", "he", "fa", "ur", "fr", "zh", "ru")] == \
        ["rtl"] * 4 + ["ltr"] * 3


def test_a_new_catalogue_is_a_new_language_with_its_direction(databases, tmp_path, monkeypatch):
    """Adding Arabic: one more catalogue under portal/translations (here a copy of the tree with an Arabic
    catalogue of one message); with LANGUAGES unset the switcher offers it and pages turn right-to-left."""
    import portal.i18n as i18n

    translations = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, translations)
    ar = translations / "ar" / "LC_MESSAGES"
    ar.mkdir(parents=True)
    (ar / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: ar\\n"\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Meetings"\nmsgstr "الاجتماعات"\n', encoding="utf-8")
    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(translations)])
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", translations)

    uri = databases.new(tmp_path)
    instance = tmp_path / "instance"
    instance.mkdir()
    app = create_app({**_config(tmp_path, uri), "LANGUAGES": None}, instance_path=str(instance))
    app.test_client_class = Client
    try:
        with app.app_context():
            assert app.config["LANGUAGES"] == ["en", "ar", "es", "fr"]
            assert LANGUAGE_NAMES["ar"] == "العربية"
            html = _html(app.test_client().get("/", headers={"Accept-Language": "ar"}))
            assert '<html lang="ar" dir="rtl">' in html and "الاجتماعات" in html
            assert 'value="ar" lang="ar" dir="rtl"' in html
            db.session.remove()
            db.engine.dispose()
    finally:
        databases.drop(uri)


def test_stylesheet_has_no_physical_left_or_right():
    css = (ROOT / "static" / "css" / "portal.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert not re.findall(r"(?:margin|padding|border)-(?:left|right)|(?<![\w-])(?:left|right)\s*:"
                          r"|(?:text-align|float|clear)\s*:\s*(?:left|right)", css)
