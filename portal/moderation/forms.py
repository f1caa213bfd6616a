from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from portal.contributions.forms import MultiCheckboxField
from portal.labels import LANGUAGES, SERIES, action_line_title, choices
from portal.models import Series


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DecisionForm(FlaskForm):
    lock = IntegerField(widget=HiddenInput(), validators=[Optional()])
    comment = TextAreaField(_l("Comment to the organisation"), filters=[_strip],
                            validators=[Length(max=5000)],
                            description=_l("Required to return for changes or to reject; the "
                                           "organisation receives it by email."))
    confirm_unverified = BooleanField(_l("Publish although the organisation is not verified"))


class OfficialDocumentForm(FlaskForm):
    series = SelectField(_l("Series"), default=Series.DOC.value)
    title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=500)])
    summary = TextAreaField(_l("Summary"), filters=[_strip], validators=[Length(max=5000)])
    action_lines = MultiCheckboxField(_l("Action lines"), coerce=str)
    language = SelectField(_l("Language"), validators=[DataRequired()])
    file = FileField(_l("File"))
    submit = SubmitField(_l("Publish"))

    def __init__(self, *args, action_lines=(), revision=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.series.choices = [(k, f"{k} — {v}") for k, v in choices(SERIES) if k != Series.CONTR.value]
        self.action_lines.choices = [(al.code, f"{al.code} {action_line_title(al.title, al.code)}")
                                     for al in action_lines]
        self.language.choices = choices(LANGUAGES, blank=str(_l("Choose the language")))
        if revision:
            del self.series
            del self.language

    def validate_action_lines(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one action line."))

    def validate_language(self, field):
        if field.data not in {k for k, _ in self.language.choices if k}:
            raise ValidationError(_l("Choose a language from the list."))
