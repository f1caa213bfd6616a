from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal.forms import strip, upper, within_years
from portal.labels import MEETING_STATUSES, MEETING_TYPES, PARTICIPATION_MODES, REGISTRATION_STATUSES, choices
from portal.models import GENEVA

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")
PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*(/[A-Za-z0-9][A-Za-z0-9.-]*)*$")


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
    out = [(GENEVA, _l("Geneva (Europe/Zurich)")), ("UTC", "UTC")]
    out += [(z, z.replace("_", " ")) for z in zones if z != GENEVA]
    return out


class MeetingForm(FlaskForm):
    code = StringField(_l("Code"), filters=[upper],
                       validators=[DataRequired(), Length(max=40),
                                   Regexp(CODE_RE, message=_l("Use capital letters, digits and hyphens, e.g. PC-4."))],
                       description=_l("Short and unique, used in addresses, e.g. FORUM-2027."))
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(), Length(max=300)])
    type = SelectField(_l("Type"), validators=[DataRequired()])
    place = StringField(_l("Place"), filters=[strip], validators=[Length(max=200)],
                        description=_l("City and country; leave empty for a meeting held only online."))
    virtual = BooleanField(_l("Held online"))
    start_date = DateField(_l("Start date"), validators=[DataRequired(message=_l("Enter a date.")), within_years()])
    end_date = DateField(_l("End date"), validators=[DataRequired(message=_l("Enter a date.")), within_years()])
    deadline = DateTimeLocalField(_l("Contribution deadline"), validators=[Optional(), within_years()],
                                  format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
                                  description=_l("Local time in the zone below. Leave empty if there is none."))
    deadline_tz = SelectField(_l("Time zone of the deadline"), default=GENEVA)
    accept_late = BooleanField(_l("Accept submissions after the deadline (marked late)"), default=True)
    symbol_prefix = StringField(_l("Symbol prefix"), filters=[strip],
                                validators=[DataRequired(), Length(max=60),
                                            Regexp(PREFIX_RE, message=_l("Letters, digits, hyphens and slashes, e.g. WSIS/PC-3."))],
                                description=_l("Documents are numbered <prefix>/CONTR/<n>-<language>, e.g. WSIS/PC-3/CONTR/12-E."))
    status = SelectField(_l("Status"), validators=[DataRequired()])
    registration = SelectField(_l("Registration"), default="closed",
                               description=_l("Whether organisations register their delegations on the portal."))
    registration_deadline = DateTimeLocalField(
        _l("Registration deadline"), validators=[Optional(), within_years()], format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        description=_l("Local time in the zone of the contribution deadline. Leave empty if there is none."))
    max_delegation_size = IntegerField(_l("Maximum delegation size"), validators=[
        Optional(), NumberRange(min=1, max=1000, message=_l("Between 1 and 1,000 participants."))],
        description=_l("Leave empty for no limit."))
    participation = SelectField(_l("Participation"), default="in_person")
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=10000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = choices(MEETING_TYPES)
        self.status.choices = choices(MEETING_STATUSES)
        self.registration.choices = choices(REGISTRATION_STATUSES)
        self.participation.choices = choices(PARTICIPATION_MODES)
        self.deadline_tz.choices = time_zone_choices()

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date cannot be before the start date."))

    def validate_place(self, field):
        if not field.data and not self.virtual.data:
            raise ValidationError(_l("Enter the place, or tick “Held online”."))

    def validate_deadline_tz(self, field):
        if field.data not in {z for z, _ in self.deadline_tz.choices}:
            raise ValidationError(_l("Choose a time zone from the list."))
