"""French and Spanish for the interface texts of the search (portal/search, templates/search, the
moderation queue's search box), to be merged into portal/translations by whoever maintains the
catalogues:

    make translations && .venv/bin/python -m portal.search.translations && make translations

The first run adds the new messages to the catalogues, this fills in those still untranslated, the
second run compiles. French typography: a no-break space (U+00A0) before ":" and inside « », a narrow
one (U+202F) before ; ! ?.
"""

from __future__ import annotations

NB = "\u00a0"

TRANSLATIONS: dict[str, dict[str | tuple[str, str], str | tuple[str, str]]] = {
    "fr": {
        "Use at most %(n)d words.": "Utilisez au plus %(n)d mots.",
        "There are no words to search for.": "Il n’y a aucun mot à rechercher.",
        "The filter %(name)s=“%(value)s” is not known and was ignored.":
            f"Le filtre %(name)s={NB}«{NB}%(value)s{NB}» est inconnu et a été ignoré.",
        "Unknown sort order ignored.": "Ordre de tri inconnu ignoré.",
        "Your search is too long: use at most %(n)d characters.":
            f"Votre recherche est trop longue{NB}: utilisez au plus %(n)d caractères.",
        "Your search has too many words: use at most %(n)d.":
            f"Votre recherche compte trop de mots{NB}: utilisez-en au plus %(n)d.",
        "This search could not be understood. Check the quotes and brackets.":
            "Cette recherche n’a pas pu être comprise. Vérifiez les guillemets et les parenthèses.",
        "There are no words to search for: very short words such as “a” or “de” are not searched. "
        "Add a word, or use the filters to browse.":
            f"Il n’y a aucun mot à rechercher{NB}: les mots très courts comme {NB}«{NB}a{NB}» ou "
            f"«{NB}de{NB}» ne sont pas recherchés. Ajoutez un mot ou parcourez les documents avec les filtres.",
        "Type at least two letters before *.": "Tapez au moins deux lettres avant *.",
        "Action line": "Grande orientation",
        "Year": "Année",
        "Words": "Mots",
        "Words are looked for in the title, the summary and the text of the files, with or without accents. "
        "\"Quotes\" for a phrase, OR, NOT or -word.":
            "Les mots sont cherchés dans le titre, le résumé et le texte des fichiers, avec ou sans accents. "
            "Des guillemets pour une expression exacte, OR, NOT ou -mot.",
        "No item matches this search.": "Aucun élément ne correspond à cette recherche.",
        "Search: %(q)s": f"Recherche{NB}: %(q)s",
        "Search the published documents": "Rechercher dans les documents publiés",
        "Order": "Ordre",
        "Best match first (newest when browsing)": "Pertinence (les plus récents sans mots recherchés)",
        "Best match first": "Pertinence",
        "Newest first": "Les plus récents d’abord",
        "Oldest first": "Les plus anciens d’abord",
        "Words in any of the six UN languages find documents in all of them. All words must appear; use "
        "\"quotes\" for an exact phrase, OR for either word, NOT or -word to leave a word out, and word* for "
        "words that start with it.":
            "Des mots dans l’une des six langues de l’ONU trouvent les documents dans toutes. Tous les mots "
            "doivent figurer\u202f; utilisez des guillemets pour une expression exacte, OR pour l’un ou l’autre "
            "mot, NOT ou -mot pour exclure un mot, et mot* pour les mots qui commencent ainsi.",
        "Current filters": "Filtres appliqués",
        "Remove the filter %(name)s: %(value)s": f"Retirer le filtre %(name)s{NB}: %(value)s",
        "Remove all filters": "Retirer tous les filtres",
        ("%(num)d document", "%(num)d documents"): ("%(num)d document", "%(num)d documents"),
        "page %(n)d of %(total)d": "page %(n)d sur %(total)d",
        "Link to this search": "Lien vers cette recherche",
        "also in %(langs)s": "aussi en %(langs)s",
        "No published document matches this search.": "Aucun document publié ne correspond à cette recherche.",
        "Nothing has been published yet.": "Rien n’a encore été publié.",
        "Did you mean:": f"Vouliez-vous dire{NB}:",
        "Narrow the results": "Affiner les résultats",
    },
    "es": {
        "Use at most %(n)d words.": "Use como máximo %(n)d palabras.",
        "There are no words to search for.": "No hay palabras que buscar.",
        "The filter %(name)s=“%(value)s” is not known and was ignored.":
            "El filtro %(name)s=«%(value)s» no se conoce y se ha ignorado.",
        "Unknown sort order ignored.": "Se ha ignorado un orden desconocido.",
        "Your search is too long: use at most %(n)d characters.":
            "Su búsqueda es demasiado larga: use como máximo %(n)d caracteres.",
        "Your search has too many words: use at most %(n)d.":
            "Su búsqueda tiene demasiadas palabras: use como máximo %(n)d.",
        "This search could not be understood. Check the quotes and brackets.":
            "No se ha podido interpretar esta búsqueda. Revise las comillas y los paréntesis.",
        "There are no words to search for: very short words such as “a” or “de” are not searched. "
        "Add a word, or use the filters to browse.":
            "No hay palabras que buscar: las palabras muy cortas como «a» o «de» no se buscan. "
            "Añada una palabra o use los filtros para explorar.",
        "Type at least two letters before *.": "Escriba al menos dos letras antes de *.",
        "Action line": "Línea de acción",
        "Year": "Año",
        "Words": "Palabras",
        "Words are looked for in the title, the summary and the text of the files, with or without accents. "
        "\"Quotes\" for a phrase, OR, NOT or -word.":
            "Las palabras se buscan en el título, el resumen y el texto de los archivos, con o sin tildes. "
            "Comillas para una frase exacta, OR, NOT o -palabra.",
        "No item matches this search.": "Ningún elemento coincide con esta búsqueda.",
        "Search: %(q)s": "Búsqueda: %(q)s",
        "Search the published documents": "Buscar en los documentos publicados",
        "Order": "Orden",
        "Best match first (newest when browsing)": "Pertinencia (los más recientes si no se buscan palabras)",
        "Best match first": "Pertinencia",
        "Newest first": "Los más recientes primero",
        "Oldest first": "Los más antiguos primero",
        "Words in any of the six UN languages find documents in all of them. All words must appear; use "
        "\"quotes\" for an exact phrase, OR for either word, NOT or -word to leave a word out, and word* for "
        "words that start with it.":
            "Las palabras en cualquiera de los seis idiomas de las Naciones Unidas encuentran documentos en "
            "todos ellos. Deben aparecer todas las palabras; use comillas para una frase exacta, OR para una "
            "palabra u otra, NOT o -palabra para excluir una palabra y palabra* para las que empiezan así.",
        "Current filters": "Filtros aplicados",
        "Remove the filter %(name)s: %(value)s": "Quitar el filtro %(name)s: %(value)s",
        "Remove all filters": "Quitar todos los filtros",
        ("%(num)d document", "%(num)d documents"): ("%(num)d documento", "%(num)d documentos"),
        "page %(n)d of %(total)d": "página %(n)d de %(total)d",
        "Link to this search": "Enlace a esta búsqueda",
        "also in %(langs)s": "también en %(langs)s",
        "No published document matches this search.": "Ningún documento publicado coincide con esta búsqueda.",
        "Nothing has been published yet.": "Todavía no se ha publicado nada.",
        "Did you mean:": "Quizás quiso decir:",
        "Narrow the results": "Afinar los resultados",
    },
}


def merge() -> list[str]:
    """Fill the untranslated or missing entries of portal/translations/{fr,es}/LC_MESSAGES/messages.po."""
    from babel.messages.pofile import read_po, write_po

    from portal.i18n import TRANSLATIONS_DIR

    changed = []
    for lang, table in TRANSLATIONS.items():
        path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
        with open(path, "rb") as fh:
            catalog = read_po(fh, locale=lang)
        for msgid, text in table.items():
            key = msgid[0] if isinstance(msgid, tuple) else msgid
            message = catalog.get(key)
            if message is None:
                catalog.add(msgid, text)
            elif not message.string or (isinstance(message.string, tuple) and not all(message.string)) \
                    or message.fuzzy:
                message.string = text
                message.flags.discard("fuzzy")
            else:
                continue
            changed.append(f"{lang}: {key}")
        with open(path, "wb") as fh:
            write_po(fh, catalog, width=0)
    return changed


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for line in merge():
        print(line)
