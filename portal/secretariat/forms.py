from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from portal.forms import strip
from portal.labels import STAKEHOLDER_TYPES, choices, country_choices, is_country


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(min=2, max=200)])
    country = SelectField(_l("Country"), validators=[Optional()], validate_choice=False)
    stakeholder_type = SelectField(_l("Stakeholder type"), validators=[DataRequired()])
    website = StringField(_l("Website"), filters=[strip],
                          validators=[Optional(), Length(max=300),
                                      URL(require_tld=True, message=_l("Enter a web address starting with https://"))])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(str(_l("No country")))
        self.stakeholder_type.choices = choices(STAKEHOLDER_TYPES)

    def validate_country(self, field):
        if field.data and not is_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a web address starting with https://"))
