"""The forms of delegation registration. Labels are the names people (and end-to-end tests) look for."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from portal.forms import strip, within_years
from portal.labels import GENDERS, PARTICIPATIONS, choices, country_choices, is_country
from portal.models import Participation, ParticipationMode


class ParticipantForm(FlaskForm):
    full_name = StringField(_l("Full name"), filters=[strip], validators=[
        DataRequired(message=_l("Give the participant's full name.")), Length(max=200)],
        description=_l("As written in the passport, for badges and visa letters."))
    function = StringField(_l("Function"), filters=[strip], validators=[
        DataRequired(message=_l("Give the participant's function or title.")), Length(max=200)],
        description=_l("For example “Minister of Communications” or “Adviser”."))
    email = EmailField(_l("Email"), filters=[strip], validators=[
        DataRequired(message=_l("Give the participant's email address.")), Length(max=254),
        Email(message=_l("Enter a valid email address."), check_deliverability=False)])
    gender = SelectField(_l("Gender"), validators=[DataRequired(message=_l("Choose one."))], validate_choice=False,
                         description=_l("Counted, never shown with the name: the meeting reports the share of women."))
    participation = SelectField(_l("Participation"), validators=[DataRequired()], validate_choice=False)
    is_head = BooleanField(_l("Head of delegation"))
    arrival = DateField(_l("Arrival"), validators=[Optional(), within_years()], description=_l("In person only."))
    departure = DateField(_l("Departure"), validators=[Optional(), within_years()])
    accessibility_needs = TextAreaField(_l("Accessibility needs"), filters=[strip],
                                        validators=[Optional(), Length(max=2000)],
                                        description=_l("Seen by the secretariat only."))
    needs_visa = BooleanField(_l("Needs a visa support letter"))
    nationality = SelectField(_l("Nationality"), validators=[Optional()], validate_choice=False)
    passport = StringField(_l("Passport number"), filters=[strip], validators=[
        Optional(), Length(max=40), Regexp(r"^[A-Za-z0-9][A-Za-z0-9 -]*$", message=_l(
            "Letters and digits only, as printed in the passport."))],
                           render_kw={"autocomplete": "off"},
                           description=_l("For the visa support letter only; stored encrypted, shown to the "
                                          "secretariat and printed on the letter, which your organisation's members "
                                          "can download."))
    remove_needs = BooleanField(_l("Remove the accessibility needs given before"))
    submit = SubmitField(_l("Add participant"))

    def __init__(self, *args, mode: ParticipationMode = ParticipationMode.BOTH, editing: bool = False,
                 has_needs: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_needs:
            del self.remove_needs
        self.gender.choices = choices(GENDERS, blank=str(_l("Choose")))
        allowed = {ParticipationMode.IN_PERSON: [Participation.IN_PERSON], ParticipationMode.ONLINE: [Participation.ONLINE],
                   ParticipationMode.BOTH: [Participation.IN_PERSON, Participation.ONLINE]}[mode]
        self.participation.choices = [(p.value, str(PARTICIPATIONS[p])) for p in allowed]
        self.nationality.choices = country_choices(str(_l("Choose the country")))
        if editing:
            self.submit.label.text = str(_l("Save participant"))
            self.passport.description = _l("Leave empty to keep the number given before; stored encrypted, shown to "
                                           "the secretariat and printed on the visa support letter.")
            if has_needs:
                self.accessibility_needs.description = _l("Needs were given before; they are seen by the secretariat "
                                                          "only. Leave empty to keep them, or write new ones.")

    def validate_nationality(self, field):
        if field.data and not is_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_gender(self, field):
        if field.data not in {k for k, _ in self.gender.choices if k}:
            raise ValidationError(_l("Choose one."))

    def validate_participation(self, field):
        if field.data not in {k for k, _ in self.participation.choices}:
            raise ValidationError(_l("Choose how the participant takes part."))


class DecisionForm(FlaskForm):
    lock = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=0, max=2**31)])
    comment = TextAreaField(_l("Comment to the organisation"), filters=[strip], validators=[Length(max=5000)],
                            description=_l("Required to return for changes or to refuse; the focal points receive it "
                                           "by email."))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), filters=[strip], validators=[Length(max=2000)])
    submit = SubmitField(_l("Cancel the registration"))
