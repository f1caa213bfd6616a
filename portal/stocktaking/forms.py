"""The Stocktaking's forms: the questionnaire, the secretariat's decisions and calls, the contact form.
Labels are the names people (and end-to-end tests) look for."""

from __future__ import annotations

from urllib.parse import urlsplit

import pycountry
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from portal.forms import MultiCheckboxField, strip, within_years
from portal.labels import (
    ACTIVITY_STATUSES,
    LANGUAGES,
    PARTNER_ROLES,
    SDG_TITLES,
    choices,
    country_choices,
)
from portal.models import ActivityStatus

PARTNER_ROWS = 4
MAX_WEBSITES = 5


def website_list(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def is_web_address(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url) \
        and "\\" not in url


def currency_choices() -> list[tuple[str, str]]:
    return [("", _l("Currency"))] + sorted((c.alpha_3, f"{c.alpha_3} – {c.name}") for c in pycountry.currencies)


class PartnerForm(Form):
    name = StringField(_l("Partner organisation"), filters=[strip], validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices(PARTNER_ROLES, blank=""), validate_choice=False)

    def validate_role(self, field):
        if self.name.data and field.data not in {k.value for k in PARTNER_ROLES}:
            raise ValidationError(_l("Choose the partner's role from the list."))


class EntryForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(message=_l("Enter the title.")), Length(max=300)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[
        DataRequired(message=_l("Describe the activity.")), Length(max=20_000)],
        description=_l("What the activity is and does. Separate paragraphs with an empty line."))
    action_lines = MultiCheckboxField(_l("Action lines"))
    main_action_line = SelectField(_l("Main action line"), validate_choice=False)
    sdgs = MultiCheckboxField(_l("SDGs"), description=_l("The Sustainable Development Goals the activity serves."))
    countries = SelectMultipleField(_l("Countries"), validate_choice=False,
                                    description=_l("Where it is carried out. Hold Ctrl (or ⌘) to choose several."))
    is_global = BooleanField(_l("Global (not tied to particular countries)"))
    status = SelectField(_l("Status"), choices=choices(ACTIVITY_STATUSES), default=ActivityStatus.ONGOING.value)
    start_date = DateField(_l("Start date"), validators=[Optional(), within_years(1970)])
    end_date = DateField(_l("End date"), validators=[Optional(), within_years(1970)])
    websites = TextAreaField(_l("Website"), filters=[strip], validators=[Optional(), Length(max=2_000)],
                             description=_l("An address beginning with http:// or https://, one per line."))
    contact_role = StringField(_l("Public contact"), filters=[strip], validators=[Optional(), Length(max=200)],
                               description=_l("A role, such as “Project coordinator”, not a person’s email: "
                                              "people write to you through the portal."))
    partners = FieldList(FormField(PartnerForm), min_entries=PARTNER_ROWS, max_entries=40)
    looking_for_partners = BooleanField(_l("Looking for partners"))
    looking_for_funding = BooleanField(_l("Looking for funding"))
    funding_amount = IntegerField(_l("Amount sought"), validators=[
        Optional(), NumberRange(min=1, max=10**12, message=_l("Enter a whole amount greater than 0."))])
    funding_currency = SelectField(_l("Currency"), validate_choice=False)
    language = SelectField(_l("Language of the entry"), choices=choices(LANGUAGES), default="en")
    files = MultipleFileField(_l("Files"), description=_l("Optional documents: PDF, DOCX, ODT or text."))
    image = FileField(_l("Image"), description=_l("Optional: one PNG or JPEG image, at most 5 MB."))
    image_alt = StringField(_l("Image description"), filters=[strip], validators=[Optional(), Length(max=300)],
                            description=_l("What the image shows, for people who cannot see it."))
    remove_image = BooleanField(_l("Remove the image"))
    remove_files = SelectMultipleField(_l("Remove files"), validate_choice=False, coerce=str)
    lock = HiddenField()
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))

    def __init__(self, *args, action_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.action_lines.choices = [(al.code, f"{al.code} {al.title}") for al in action_lines]
        self.main_action_line.choices = [("", _l("Choose the main action line"))] + self.action_lines.choices
        self.sdgs.choices = [(str(n), f"{n}. {title}") for n, title in SDG_TITLES.items()]
        self.countries.choices = country_choices("")[1:]
        self.funding_currency.choices = currency_choices()

    def validate_action_lines(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one action line."))
        if set(field.data) - {k for k, _ in field.choices}:
            raise ValidationError(_l("Choose action lines from the list."))

    def validate_main_action_line(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the main action line."))
        if field.data not in (self.action_lines.data or []):
            raise ValidationError(_l("The main action line must be one of the action lines chosen."))

    def validate_sdgs(self, field):
        if set(field.data or []) - {k for k, _ in field.choices}:
            raise ValidationError(_l("The Sustainable Development Goals are numbered 1 to 17."))

    def validate_countries(self, field):
        known = {k for k, _ in field.choices}
        unknown = [c for c in field.data or [] if c not in known]
        if unknown:
            raise ValidationError(_l("Unknown country code: %(codes)s.", codes=", ".join(unknown[:5])))
        if not field.data and not self.is_global.data:
            raise ValidationError(_l("Choose the countries where the activity takes place, or Global."))
        if field.data and self.is_global.data:
            raise ValidationError(_l("A global activity names no countries: choose Global or countries, not both."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date is before the start date."))
        if not field.data and self.status.data == ActivityStatus.COMPLETED.value:
            raise ValidationError(_l("A completed activity needs its end date."))

    def validate_websites(self, field):
        sites = website_list(field.data)
        if len(sites) > MAX_WEBSITES:
            raise ValidationError(_l("At most %(n)d addresses.", n=MAX_WEBSITES))
        bad = [s for s in sites if not is_web_address(s)]
        if bad:
            raise ValidationError(_l("“%(url)s” is not a web address: it must begin with http:// or https://.",
                                     url=bad[0][:100]))

    def validate_contact_role(self, field):
        if field.data and "@" in field.data:
            raise ValidationError(_l("Give a role, not an email address: messages reach you through the portal."))

    def validate_funding_amount(self, field):
        if field.data is not None and not self.looking_for_funding.data:
            raise ValidationError(_l("Tick Looking for funding to give an amount."))

    def validate_funding_currency(self, field):
        if field.data and field.data not in {k for k, _ in field.choices}:
            raise ValidationError(_l("Choose a currency from the list."))
        if self.funding_amount.data is not None and not field.data:
            raise ValidationError(_l("Choose the currency of the amount."))


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment for the organisation"), filters=[strip],
                            validators=[Optional(), Length(max=5_000)])
    lock = HiddenField()
    publish = SubmitField(_l("Publish"))
    return_ = SubmitField(_l("Return for changes"), name="return")
    reject = SubmitField(_l("Reject"))


class ButtonForm(FlaskForm):
    """A form with a button and its CSRF token only (confirm, archive, restore)."""


class CallForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(message=_l("Enter the year.")),
                                                NumberRange(min=1990, max=2100)])
    deadline = DateTimeLocalField(_l("Deadline"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                  validators=[DataRequired(message=_l("Enter the deadline.")), within_years()],
                                  description=_l("Geneva time."))
    message = TextAreaField(_l("Message to the owners"), filters=[strip], validators=[Optional(), Length(max=5_000)])
    submit = SubmitField(_l("Open the call"))


class ContactForm(FlaskForm):
    name = StringField(_l("Your name"), filters=[strip], validators=[
        DataRequired(message=_l("Enter your name.")), Length(max=200)])
    email = EmailField(_l("Your email"), filters=[strip], validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False), Length(max=254)])
    message = TextAreaField(_l("Message"), filters=[strip], validators=[
        DataRequired(message=_l("Write your message.")), Length(min=10, max=5_000)])
    send = SubmitField(_l("Send"))

    def validate_name(self, field):
        if field.data and any(c in field.data for c in "\r\n"):
            raise ValidationError(_l("A name cannot contain line breaks."))

    def validate_email(self, field):
        if field.data and any(c in field.data for c in "\r\n,;"):
            raise ValidationError(_l("Enter one email address."))
