"""The same journey in French: a francophone delegate, a francophone moderator."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.documents import build_pdf, text_page
from tests.e2e.conftest import DEMO_PASSWORD, SECRETARIAT, mail_link, mails_to

pytestmark = pytest.mark.e2e

FR = "fr-FR"


def se_connecter(page, email, password):
    page.goto("/login")
    page.get_by_label("Courriel", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


def test_parcours_complet_en_francais(new_page, live, tmp_path):
    pdf = tmp_path / "contribution-niger.pdf"
    pdf.write_bytes(build_pdf(text_page("Contribution du Niger : la radio communautaire",
                                        "au service de l'éducation des filles en zone rurale.")))
    delegue = new_page(FR)
    email = "delegue@postes.ne.example"
    delegue.goto("/register")
    expect(delegue.locator("html")).to_have_attribute("lang", "fr")
    delegue.get_by_label("Nom complet").fill("Hadiza Moussa")
    delegue.get_by_label("Courriel", exact=True).fill(email)
    delegue.get_by_label("Mot de passe", exact=True).fill("phrase de passe pour Niamey 2027")
    delegue.get_by_label("Organisation", exact=True).fill("Ministère des Postes et de l'Économie numérique du Niger")
    delegue.get_by_label("Pays").select_option("NE")
    delegue.get_by_label("Type de partie prenante").select_option("government")
    delegue.get_by_role("button", name="Créer le compte").click()
    expect(delegue.get_by_role("heading", name="Consultez votre messagerie")).to_be_visible()

    delegue.goto(mail_link(live, email, "/confirm/"))
    expect(delegue.locator(".flash-success")).to_contain_text("Votre adresse de courriel est confirmée")
    se_connecter(delegue, email, "phrase de passe pour Niamey 2027")

    titre = "La radio communautaire au service de l'éducation"
    delegue.goto("/contributions/new")
    delegue.get_by_label("Réunion", exact=True).select_option("FORUM-2027")
    delegue.get_by_label("Titre", exact=True).fill(titre)
    delegue.get_by_label("Résumé", exact=True).fill("Les radios communautaires touchent les zones rurales.")
    delegue.get_by_label(re.compile(r"^C9 ")).check()
    delegue.get_by_label("Langue", exact=True).select_option("fr")
    delegue.get_by_label("Fichier", exact=True).set_input_files(str(pdf))
    delegue.get_by_role("button", name="Soumettre", exact=True).click()
    expect(delegue.locator(".flash-success")).to_contain_text("Votre contribution a été soumise")

    # A French form error is a French sentence.
    delegue.goto("/contributions/new")
    delegue.get_by_role("button", name="Soumettre", exact=True).click()
    expect(delegue.locator("#title-error")).to_be_visible()
    assert re.search(r"[éèàç]|titre", delegue.locator("#title-error").inner_text(), re.I)

    moderateur = new_page(FR)
    se_connecter(moderateur, SECRETARIAT, DEMO_PASSWORD)
    moderateur.goto("/secretariat/moderation")
    moderateur.get_by_role("link", name=titre).click()
    moderateur.get_by_label("Commentaire à l’intention de l’organisation").fill("Merci de préciser les zones concernées.")
    moderateur.get_by_role("button", name="Renvoyer pour modification").click()
    expect(moderateur.locator(".flash-success")).to_contain_text("Renvoyée à l’organisation pour modification")

    delegue.goto("/contributions/")
    delegue.get_by_role("link", name=titre).click()
    expect(delegue.get_by_text("Merci de préciser les zones concernées.")).to_be_visible()
    delegue.get_by_role("link", name="Modifier", exact=True).click()
    delegue.get_by_label("Résumé", exact=True).fill("Les radios communautaires de Tillabéri et de Dosso.")
    delegue.get_by_role("button", name="Soumettre", exact=True).click()
    expect(delegue.locator(".flash-success")).to_contain_text("soumise")

    moderateur.goto("/secretariat/moderation")
    moderateur.get_by_role("link", name=titre).click()
    moderateur.get_by_label("Publier bien que l’organisation ne soit pas vérifiée").check()
    moderateur.get_by_role("button", name="Publier", exact=True).click()
    flash = moderateur.locator(".flash-success")
    expect(flash).to_contain_text("Publiée sous la cote WSIS/FORUM-2027/CONTR/")
    cote = re.search(r"(WSIS/FORUM-2027/CONTR/\d+-F)", flash.inner_text()).group(1)

    visiteur = new_page(FR)
    visiteur.goto("/meetings/FORUM-2027")
    expect(visiteur.get_by_role("link", name=cote).first).to_be_visible()
    visiteur.get_by_role("link", name=cote).first.click()
    expect(visiteur.get_by_text("Tillabéri et de Dosso")).to_be_visible()

    # The delegate's messages were in French.
    subjects = [m["Subject"] for m in mails_to(live, email)]
    assert any(s.startswith(f"Publiée sous la cote {cote}") for s in subjects), subjects
    assert any(s.startswith("Renvoyée pour modification") for s in subjects), subjects

    delegue.goto("/contributions/")
    delegue.get_by_role("link", name=titre).click()
    delegue.get_by_role("link", name="Retirer").click()
    delegue.get_by_role("button", name="Retirer").click()
    expect(delegue.locator(".flash-success")).to_contain_text("La contribution a été retirée")
    visiteur.reload()
    expect(visiteur.get_by_text("Retirée par l’organisation")).to_be_visible()
