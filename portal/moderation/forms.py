from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from portal.forms import DocumentChecks, MultiCheckboxField, action_line_choices, strip
from portal.labels import LANGUAGES, SERIES, choices
from portal.models import Series


class DecisionForm(FlaskForm):
    lock = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=2**31)])
    comment = TextAreaField(_l("Comment to the organisation"), filters=[strip],
                            validators=[Length(max=5000)],
                            description=_l("Required to return for changes or to reject; the "
                                           "organisation receives it by email."))
    confirm_unverified = BooleanField(_l("Publish although the organisation is not verified"))


class OfficialDocumentForm(DocumentChecks, FlaskForm):
    series = SelectField(_l("Series"), default=Series.DOC.value)
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=500)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=5000)])
    action_lines = MultiCheckboxField(_l("Action lines"), coerce=str)
    language = SelectField(_l("Language"), validators=[DataRequired()])
    file = FileField(_l("File"))
    submit = SubmitField(_l("Publish"))

    def __init__(self, *args, action_lines=(), revision=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.series.choices = [(k, f"{k} — {v}") for k, v in choices(SERIES) if k not in (Series.CONTR.value, Series.STMT.value)]
        self.action_lines.choices = action_line_choices(action_lines)
        self.language.choices = choices(LANGUAGES, blank=str(_l("Choose the language")))
        if revision:
            del self.series
            del self.language
