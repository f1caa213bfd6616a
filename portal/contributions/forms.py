"""The submission form. Labels are the names people (and end-to-end tests) look for."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, ValidationError

from portal.labels import LANGUAGES, action_line_title, choices


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ContributionForm(FlaskForm):
    meeting = SelectField(_l("Meeting"), validators=[DataRequired(message=_l("Choose a meeting."))])
    title = StringField(_l("Title"), filters=[_strip], validators=[
        DataRequired(message=_l("Give the contribution a title.")), Length(max=500)])
    summary = TextAreaField(_l("Summary"), filters=[_strip], validators=[Length(max=5000)],
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
        self.action_lines.choices = [(al.code, f"{al.code} {action_line_title(al.title, al.code)}")
                                     for al in action_lines]
        self.language.choices = choices(LANGUAGES, blank=str(_l("Choose the language")))
        self.comments_on.choices = [("", str(_l("None")))] + [
            (str(d.id), f"{d.symbol(d.current_version.revision)} {d.current_version.title}") for d in drafts]
        self.cosponsors.choices = [(str(o.id), o.name) for o in organisations]

    def validate_action_lines(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one action line."))

    def validate_language(self, field):
        if field.data not in {k for k, _ in self.language.choices if k}:
            raise ValidationError(_l("Choose a language from the list."))


class RevisionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_strip], validators=[DataRequired(), Length(max=500)])
    summary = TextAreaField(_l("Summary"), filters=[_strip], validators=[Length(max=5000)])
    action_lines = MultiCheckboxField(_l("Action lines"), coerce=str)
    cosponsors = SelectMultipleField(_l("Co-sponsoring organisations"), coerce=str, validate_choice=False)
    file = FileField(_l("File"))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))

    def __init__(self, *args, action_lines=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action_lines.choices = [(al.code, f"{al.code} {action_line_title(al.title, al.code)}")
                                     for al in action_lines]
        self.cosponsors.choices = [(str(o.id), o.name) for o in organisations]

    def validate_action_lines(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one action line."))


class LanguageVersionForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])
    file = FileField(_l("File"))
    submit = SubmitField(_l("Add language version"))

    def __init__(self, *args, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(k, v) for k, v in choices(LANGUAGES, blank=str(_l("Choose the language")))
                                 if k not in exclude]


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), filters=[_strip], validators=[Length(max=2000)])
    submit = SubmitField(_l("Withdraw"))
