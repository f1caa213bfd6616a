"""Delegation registration in a real browser: a focal point registers three people, the secretariat
confirms, the visa support letter downloads (and reads as it should); in English and in French."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import DEMO_PASSWORD, SECRETARIAT, log_in, mails_to

pytestmark = pytest.mark.e2e

EN = {"full_name": "Full name", "function": "Function", "email": "Email", "gender": "Gender",
      "participation": "Participation", "head": "Head of delegation", "visa": "Needs a visa support letter",
      "nationality": "Nationality", "passport": "Passport number", "add": "Add participant",
      "submit": "Submit registration", "register": "Register a delegation", "confirm": "Confirm",
      "download": "Download the letter", "email_login": "Email", "password": "Password", "login": "Log in",
      "woman": "woman", "man": "man"}
FR = {"full_name": "Nom complet", "function": "Fonction", "email": "Courriel", "gender": "Genre",
      "participation": "Participation", "head": "Chef de délégation", "visa": "A besoin d’une lettre d’appui pour visa",
      "nationality": "Nationalité", "passport": "Numéro de passeport", "add": "Ajouter le participant",
      "submit": "Soumettre l’inscription", "register": "Inscrire une délégation", "confirm": "Confirmer",
      "download": "Télécharger la lettre", "email_login": "Courriel", "password": "Mot de passe",
      "login": "Se connecter", "woman": "woman", "man": "man"}


def _log_in(page, email, t):
    log_in(page, email, DEMO_PASSWORD, labels=(t["email_login"], t["password"], t["login"]))


def _add(page, t, name, function, email, gender, *, participation="in_person", head=False, visa=None):
    page.get_by_label(t["full_name"], exact=True).fill(name)
    page.get_by_label(t["function"], exact=True).fill(function)
    page.get_by_label(t["email"], exact=True).fill(email)
    page.get_by_label(t["gender"], exact=True).select_option(gender)
    page.get_by_label(t["participation"], exact=True).select_option(participation)
    head_box = page.get_by_label(t["head"], exact=True)
    if head:
        head_box.check()
    else:
        head_box.uncheck()
    if visa:
        page.get_by_label(t["visa"], exact=True).check()
        page.get_by_label(t["nationality"], exact=True).select_option(visa[0])
        page.get_by_label(t["passport"], exact=True).fill(visa[1])
    page.get_by_role("button", name=t["add"], exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("cell", name=name, exact=False).first).to_be_visible()


def _journey(new_page, live, tmp_path, locale, t, focal, org, people) -> str:
    """The journey, to the downloaded visa support letter; returns its text."""
    page = new_page(locale)
    _log_in(page, focal, t)
    page.goto("/meetings/FORUM-2027")
    page.get_by_role("link", name=t["register"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(org)
    (head, *others) = people
    _add(page, t, *head[:4], head=True, visa=head[4])
    for p in others:
        _add(page, t, *p[:4], participation=p[5] if len(p) > 5 else "in_person")
    page.get_by_role("button", name=t["submit"], exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_be_visible()

    sec = new_page(locale)
    _log_in(sec, SECRETARIAT, t)
    sec.goto("/secretariat/meetings/FORUM-2027/registrations")
    sec.get_by_role("link", name=org).click()
    sec.get_by_role("button", name=t["confirm"], exact=True).click()
    sec.wait_for_load_state()
    expect(sec.locator(".flash-success")).to_be_visible()
    assert any("FORUM-2027" in m.get_content() or "WSIS Forum 2027" in m["Subject"] for m in mails_to(live, focal))

    page.goto("/meetings/FORUM-2027/delegation")
    with page.expect_download() as info:
        page.get_by_role("link", name=f"{t['download']} {head[0]}").click()
    path = Path(tmp_path) / "letter.pdf"
    info.value.save_as(path)
    return PdfReader(str(path)).pages[0].extract_text()


def test_a_focal_point_registers_three_people_and_downloads_the_visa_letter(new_page, live, tmp_path):
    letter = _journey(new_page, live, tmp_path, "en-GB", EN, "claire.favre@demo.ch",
                      "Office fédéral de la communication (OFCOM), Suisse",
                      [("Claire Favre", "Ambassador, Permanent Mission", "claire.favre@demo.ch", "woman",
                        ("CH", "X9988776")),
                       ("Jean Dupont", "Adviser", "jean.dupont@ofcom.example", "man"),
                       ("李娜", "Legal officer", "li.na@ofcom.example", "woman", None, "online")])
    assert "Claire" in letter and "Favre" in letter and "X9988776" in letter, letter
    assert "WSIS Forum 2027" in letter and "Visa support letter" in letter


def test_inscription_d_une_delegation_en_francais(new_page, live, tmp_path):
    letter = _journey(new_page, live, tmp_path, "fr-FR", FR, "elena.rossi@demo.ch", "Université de Genève",
                      [("Elena Rossi", "Professeure", "elena.rossi@demo.ch", "woman", ("IT", "YA1234567")),
                       ("Иван Петров", "Chercheur", "ivan.petrov@unige.example", "man"),
                       ("Amal Haddad", "Doctorante", "amal.haddad@unige.example", "woman", None, "online")])
    assert "Elena" in letter and "Rossi" in letter and "YA1234567" in letter, letter
    assert "WSIS Forum 2027" in letter and "Visa support letter" in letter
