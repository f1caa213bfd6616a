"""What several forms share: input filters, the action-line checkboxes and their checks."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, widgets
from wtforms.validators import ValidationError

from portal.labels import action_line_title

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e]")


def strip(value):
    """A filter: the text without surrounding white space, control characters (a NUL cannot be stored
    in PostgreSQL, nor written to an iCalendar file) and the bidirectional embedding and override
    characters that make a text display other than it reads (isolates, which Arabic text uses, stay)."""
    return _INVISIBLE.sub("", value).strip() if isinstance(value, str) else value


def within_years(first: int = 1990, last: int = 2100):
    """A validator: a date or moment between the years first and last (a year 1 deadline cannot be
    converted between time zones)."""
    def check(form, field):
        if field.data is not None and not first <= field.data.year <= last:
            raise ValidationError(_l("Enter a date between %(first)d and %(last)d.", first=first, last=last))
    return check


def upper(value):
    """A filter: the text without surrounding white space, in capitals."""
    return value.strip().upper() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (keyboard-usable, labelled each), for choosing several values."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def action_line_choices(lines) -> list[tuple[str, str]]:
    return [(al.code, f"{al.code} {action_line_title(al.title, al.code)}") for al in lines]


class DocumentChecks:
    """The checks of a document form's `action_lines` and `language` fields (mixed into the form)."""

    def validate_action_lines(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one action line."))

    def validate_language(self, field):
        if field.data not in {k for k, _ in field.choices if k}:
            raise ValidationError(_l("Choose a language from the list."))
