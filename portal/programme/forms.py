"""The programme's forms. Labels are the names people (and end-to-end tests) look for."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.forms import strip, within_years
from portal.labels import (
    GENDERS,
    LANGUAGES,
    SESSION_KINDS,
    SPEAKER_RANKS,
    STAKEHOLDER_TYPES,
    choices,
    country_choices,
    country_name,
    label,
)
from portal.models import SpeakerRank

DEADLINE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(message=_l("Give the session a title.")),
                                                                  Length(max=300)])
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    day = DateField(_l("Date"), validators=[DataRequired(message=_l("Enter a date.")), within_years()])
    start = TimeField(_l("Start time"), validators=[DataRequired(message=_l("Enter a time."))])
    end = TimeField(_l("End time"), validators=[DataRequired(message=_l("Enter a time."))])
    room = StringField(_l("Room"), filters=[strip], validators=[Optional(), Length(max=200)])
    online = BooleanField(_l("Online"))
    online_link = StringField(_l("Online link"), filters=[strip], validators=[Optional(), Length(max=500)],
                              description=_l("Shown only to logged-in members of registered delegations."))
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)])
    chairs = StringField(_l("Chairs and moderators"), filters=[strip], validators=[Optional(), Length(max=500)])
    slots = IntegerField(_l("Slots"), default=0, validators=[
        Optional(), NumberRange(min=0, max=200, message=_l("Between 0 and 200 slots."))],
        description=_l("Speaking slots, for policy statements; 0 for none."))
    slot_minutes = IntegerField(_l("Slot length (minutes)"), validators=[
        Optional(), NumberRange(min=1, max=240, message=_l("Between 1 and 240 minutes."))])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(SESSION_KINDS)


class InviteForm(FlaskForm):
    organisations = SelectMultipleField(_l("Organisations"), coerce=str, validate_choice=False,
                                        description=_l("Hold Ctrl or ⌘ to choose several."))
    all_governments = BooleanField(_l("All governments"))
    reference = StringField(_l("Reference"), filters=[strip], validators=[
        DataRequired(message=_l("Give the reference of the letter, e.g. CL-17/051.")), Length(max=80)])
    letter = TextAreaField(_l("Letter"), filters=[strip], validators=[DataRequired(message=_l("Write the letter.")),
                                                                      Length(max=20000)],
                           description=_l("{organisation}, {meeting} and {deadline} are filled in for each invitation."))
    deadline = DateTimeLocalField(_l("Confirmation deadline"), format=DEADLINE_FORMATS,
                                  validators=[DataRequired(message=_l("Enter the deadline.")), within_years()],
                                  description=_l("Local time of the meeting's time zone."))
    submit = SubmitField(_l("Send invitations"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations.choices = [
            (str(o.id), f"{o.name} — {label(o.stakeholder_type)}" + (f", {country_name(o.country)}" if o.country else ""))
            for o in organisations]


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    stakeholder_type = SelectField(_l("Stakeholder type"), validators=[Optional()], validate_choice=False)
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stakeholder_type.choices = choices(STAKEHOLDER_TYPES, blank=str(_l("All types")))
        self.country.choices = country_choices(str(_l("All countries")))


class SpeakerFields(FlaskForm):
    speaker_name = StringField(_l("Speaker's name"), filters=[strip], validators=[
        DataRequired(message=_l("Give the speaker's name.")), Length(max=200)])
    speaker_title = StringField(_l("Speaker's title"), filters=[strip], validators=[
        DataRequired(message=_l("Give the speaker's title.")), Length(max=200)],
        description=_l("For example “Minister of Communications”."))
    speaker_rank = SelectField(_l("Rank in the order of protocol"), validators=[DataRequired()],
                               default=SpeakerRank.OTHER.value)
    speaker_gender = SelectField(_l("Gender"), validators=[Optional()], validate_choice=False)
    participant = SelectField(_l("A participant of your delegation"), validators=[Optional()], validate_choice=False,
                              description=_l("Or type the name and title below."))
    preferred_day = SelectField(_l("Preferred day"), validators=[Optional()], validate_choice=False)

    def __init__(self, *args, days=(), participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.speaker_rank.choices = choices(SPEAKER_RANKS)
        self.speaker_gender.choices = choices(GENDERS, blank=str(_l("Not given")))
        self.participant.choices = [("", str(_l("None")))] + [(str(p.id), f"{p.full_name} — {p.function}")
                                                              for p in participants]
        self.preferred_day.choices = [("", str(_l("No preference")))] + [(d.isoformat(), format_date(d, "full")) for d in days]

    def validate_preferred_day(self, field):
        if field.data and field.data not in {k for k, _ in self.preferred_day.choices}:
            raise ValidationError(_l("Choose a day of the meeting."))


class AcceptForm(SpeakerFields):
    submit = SubmitField(_l("Accept"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), filters=[strip], validators=[Length(max=2000)])
    submit = SubmitField(_l("Decline"))


class RequestForm(SpeakerFields):
    reason = TextAreaField(_l("Why the statement should be heard"), filters=[strip],
                           validators=[DataRequired(message=_l("Say why the statement should be heard.")),
                                       Length(max=3000)])
    submit = SubmitField(_l("Request a statement slot"))


class ExtendForm(FlaskForm):
    deadline = DateTimeLocalField(_l("New confirmation deadline"), format=DEADLINE_FORMATS,
                                  validators=[DataRequired(message=_l("Enter the deadline.")), within_years()])
    submit = SubmitField(_l("Extend"))


class RefuseForm(FlaskForm):
    comment = TextAreaField(_l("Reason"), filters=[strip], validators=[Length(max=2000)])


class StatementTextForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])
    file = FileField(_l("File"))
    submit = SubmitField(_l("Upload the statement"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = choices(LANGUAGES, blank=str(_l("Choose the language")))

    def validate_language(self, field):
        if field.data not in {k for k, _ in self.language.choices if k}:
            raise ValidationError(_l("Choose a language from the list."))
