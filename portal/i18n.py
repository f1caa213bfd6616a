"""Interface language and localised formatting."""

from __future__ import annotations

from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import babel
from portal.models import GENEVA

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
LANG_COOKIE = "portal_lang"
# The Babel locale used for each interface language: English dates as in Geneva, not the US.
FORMAT_LOCALE = {"en": "en_GB"}


def select_locale() -> str:
    lang = select_language()
    return FORMAT_LOCALE.get(lang, lang)


def current_language() -> str:
    return str(get_locale() or "en").split("_")[0]


def select_language() -> str:
    langs = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in langs:
        return chosen
    return request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"]


def format_date_range(start, end) -> str:
    """'10-12 December 2003', localised by Babel's interval formats."""
    if start == end:
        return format_date(start, "long")
    return babel_dates.format_interval(start, end, "yMMMMd", locale=get_locale())


def format_deadline(meeting) -> str:
    """The deadline in the meeting's own zone, with the zone named."""
    local = meeting.deadline_local
    if local is None:
        return ""
    day = babel_dates.format_date(local.date(), "long", locale=get_locale())
    time = babel_dates.format_time(local.time(), "HH:mm", locale=get_locale())
    zone = _("Geneva time") if meeting.deadline_tz == GENEVA else meeting.deadline_tz.replace("_", " ")
    return f"{day}, {time} ({zone})"


def register_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
