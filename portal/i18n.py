"""Interface language and localised formatting.

The interface languages are English (the source language of every message) plus one per catalogue under
portal/translations/<code>/LC_MESSAGES/messages.po. With LANGUAGES unset (None) in the configuration, every
catalogue present is offered, so adding Arabic, Chinese or Russian is only a new catalogue; a configured list
restricts (and orders) the languages offered, and a configured language without a catalogue is left out.
Names, text direction and formats come from Babel's locale data, never from a table kept here."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import babel
from portal.models import GENEVA

log = logging.getLogger("portal.i18n")

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "en"
LANG_COOKIE = "portal_lang"
# The Babel locale used for each interface language: English dates as in Geneva, not the US.
FORMAT_LOCALE = {"en": "en_GB"}


# Which languages -------------------------------------------------------------------------------------

def catalogue_languages() -> list[str]:
    """The language codes that have a catalogue (a messages.po), sorted."""
    directory = TRANSLATIONS_DIR
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file())


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return None


def available_languages(configured=None, default: str = SOURCE_LANGUAGE) -> list[str]:
    """The default language first, then the configured languages (or every catalogue) that Babel knows
    and that have a catalogue."""
    found = set(catalogue_languages())
    wanted = list(configured) if configured else sorted(found)
    out = [default]
    for code in wanted:
        if code in out:
            continue
        if _locale(code) is None:
            log.warning("interface language %r is not a locale Babel knows: left out", code)
        elif code != SOURCE_LANGUAGE and code not in found:
            log.warning("interface language %r has no catalogue under %s: left out", code, TRANSLATIONS_DIR)
        else:
            out.append(code)
    return out


def languages() -> list[str]:
    if has_app_context():
        return current_app.config["LANGUAGES"]
    return available_languages()


def language_name(code: str) -> str:
    """The language's own name, capitalised as a menu item ("Français", "Español", "العربية")."""
    loc = _locale(code)
    name = (loc.get_display_name(loc) if loc else None) or code
    return name[:1].upper() + name[1:]


class LanguageNames(Mapping):
    """Code -> own name of the languages the current application offers, in its order."""

    def __getitem__(self, code: str) -> str:
        if code not in languages():
            raise KeyError(code)
        return language_name(code)

    def __iter__(self) -> Iterator[str]:
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())


LANGUAGE_NAMES = LanguageNames()


def text_direction(code: str | None = None) -> str:
    """"rtl" for a right-to-left script (Arabic, Hebrew, Persian, Urdu...), else "ltr"."""
    loc = _locale(code or current_language())
    return "rtl" if loc is not None and loc.character_order == "right-to-left" else "ltr"


# Choosing the language of a request -------------------------------------------------------------------

def select_locale() -> str:
    lang = select_language()
    return FORMAT_LOCALE.get(lang, lang)


def current_language() -> str:
    return str(get_locale() or SOURCE_LANGUAGE).split("_")[0]


def select_language() -> str:
    """The saved preference of a logged-in user, else the switcher's cookie, else the browser's
    Accept-Language; a code the portal does not offer is ignored, and English is the last resort."""
    langs = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in langs:
        return chosen
    return request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]


# Formatting ------------------------------------------------------------------------------------------------

def format_date_range(start, end) -> str:
    """'10-12 December 2003', localised by Babel's interval formats."""
    if start == end:
        return format_date(start, "long")
    return babel_dates.format_interval(start, end, "yMMMMd", locale=get_locale())


def format_in_zone(local, tz: str) -> str:
    """A moment in a meeting's own zone, with the zone named."""
    if local is None:
        return ""
    day = babel_dates.format_date(local.date(), "long", locale=get_locale())
    time = babel_dates.format_time(local.time(), "HH:mm", locale=get_locale())
    zone = _("Geneva time") if tz == GENEVA else tz.replace("_", " ")
    return f"{day}, {time} ({zone})"


def format_deadline(meeting) -> str:
    """The contribution deadline in the meeting's own zone, with the zone named."""
    return format_in_zone(meeting.deadline_local, meeting.deadline_tz)


def format_registration_deadline(meeting) -> str:
    return format_in_zone(meeting.registration_deadline_local, meeting.deadline_tz)


# Wiring ---------------------------------------------------------------------------------------------------

def _warn_if_not_compiled(langs: list[str]) -> None:
    for code in langs:
        po = TRANSLATIONS_DIR / code / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if po.is_file() and (not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime):
            log.warning("the %s catalogue is not compiled or older than its .po: the interface shows "
                        "English there until `pybabel compile -d portal/translations` (make setup) runs", code)


def register_i18n(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    default = app.config.get("BABEL_DEFAULT_LOCALE") or SOURCE_LANGUAGE
    app.config["LANGUAGES"] = available_languages(app.config.get("LANGUAGES"), default)
    _warn_if_not_compiled(app.config["LANGUAGES"])
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(text_direction=text_direction)
