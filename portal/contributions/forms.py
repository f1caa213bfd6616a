"""The submission form. Labels are the names people (and end-to-end tests) look for."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.forms import DocumentChecks, MultiCheckboxField, action_line_choices, strip
from portal.labels import LANGUAGES, choices


class ContributionForm(DocumentChecks, FlaskForm):
    meeting = SelectField(_l("Meeting"), validators=[DataRequired(message=_l("Choose a meeting."))])
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(message=_l("Give the contribution a title.")), Length(max=500)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=5000)],
                            description=_l("A few sentences that say what the contribution proposes."))
    action_lines = MultiCheckboxField(_l("Action lines"), coerce=str)
    language = SelectField(_l("Language"), validators=[DataRequired()],
                           description=_l("The language of the document you attach: its original."))
    comments_on = SelectField(_l("Comments on draft"), validate_choice=False,
                              description=_l("If your contribution answers one of the secretariat's drafts."))
    cosponsors = SelectMultipleField(_l("Co-sponsoring organisations"), coerce=str, validate_choice=False,
                                     description=_l("Other organisations that join this contribution "
                                                    "(hold Ctrl or ⌘ to choose several)."))
    file = FileField(_l("File"))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))

    def __init__(self, *args, meetings=(), action_lines=(), drafts=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting.choices = [("", str(_l("Choose a meeting")))] + [
            (m.code, f"{m.title} ({m.code})") for m in meetings]
        self.action_lines.choices = action_line_choices(action_lines)
        self.language.choices = choices(LANGUAGES, blank=str(_l("Choose the language")))
        self.comments_on.choices = [("", str(_l("None")))] + [
            (str(d.id), f"{d.symbol(d.current_version.revision)} {d.current_version.title}") for d in drafts]
        self.cosponsors.choices = [(str(o.id), o.name) for o in organisations]


class RevisionForm(DocumentChecks, FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=500)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Length(max=5000)])
    action_lines = MultiCheckboxField(_l("Action lines"), coerce=str)
    cosponsors = SelectMultipleField(_l("Co-sponsoring organisations"), coerce=str, validate_choice=False)
    file = FileField(_l("File"))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))

    def __init__(self, *args, action_lines=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action_lines.choices = action_line_choices(action_lines)
        self.cosponsors.choices = [(str(o.id), o.name) for o in organisations]


class LanguageVersionForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])
    file = FileField(_l("File"))
    submit = SubmitField(_l("Add language version"))

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(k, v) for k, v in choices(LANGUAGES, blank=str(_l("Choose the language")))
                                 if k not in exclude]


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), filters=[strip], validators=[Length(max=2000)])
    submit = SubmitField(_l("Withdraw"))
