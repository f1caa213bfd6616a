"""Account forms. Every field has a visible label; the names are what tests look for."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.auth import passwords
from portal.forms import strip
from portal.labels import STAKEHOLDER_TYPES, choices, country_choices, is_country

EMAIL_MAX = 254


class StrongPassword:
    """Validator: the portal's password policy, with the form's name and email as hints."""

    def __call__(self, form, field):
        hints = [getattr(form, n).data for n in ("name", "email") if hasattr(form, n)]
        if field.data:
            problem = passwords.password_problem(field.data, user_inputs=hints)
            if problem:
                raise ValidationError(str(problem))


class LoginForm(FlaskForm):
    email = StringField(_l("Email"), filters=[strip],
                        validators=[DataRequired(), Length(max=EMAIL_MAX)],
                        render_kw={"autocomplete": "username", "type": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=4096)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Remember me"))
    submit = SubmitField(_l("Log in"))


class RegistrationForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = StringField(_l("Email"), filters=[strip],
                        validators=[DataRequired(), Length(max=EMAIL_MAX),
                                    Email(message=_l("Enter a valid email address."))],
                        render_kw={"autocomplete": "email", "type": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    organisation = StringField(_l("Organisation"), filters=[strip],
                               validators=[DataRequired(), Length(min=2, max=200)],
                               render_kw={"list": "organisation-names", "autocomplete": "organization"})
    # Required only for a new organisation: checked below, not by a chain validator.
    country = SelectField(_l("Country"), validate_choice=False)
    stakeholder_type = SelectField(_l("Stakeholder type"), validate_choice=False)
    submit = SubmitField(_l("Create account"))

    def __init__(self, *args, existing_organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(str(_l("Choose a country")))
        self.stakeholder_type.choices = choices(STAKEHOLDER_TYPES, blank=str(_l("Choose a type")))
        self._existing = existing_organisation

    def validate_country(self, field):
        if field.data and not is_country(field.data):
            raise ValidationError(_l("Choose a country from the list."))
        if not field.data and self._existing is None:
            raise ValidationError(_l("A new organisation needs its country."))

    def validate_stakeholder_type(self, field):
        if field.data and field.data not in {k for k, _ in self.stakeholder_type.choices if k}:
            raise ValidationError(_l("Choose a stakeholder type from the list."))
        if not field.data and self._existing is None:
            raise ValidationError(_l("A new organisation needs its stakeholder type."))


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("Email"), filters=[strip],
                        validators=[DataRequired(), Length(max=EMAIL_MAX)],
                        render_kw={"autocomplete": "email", "type": "email"})
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Set new password"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Preferred language"), validate_choice=True)
    submit = SubmitField(_l("Save"))


class ResendConfirmationForm(FlaskForm):
    email = StringField(_l("Email"), filters=[strip],
                        validators=[DataRequired(), Length(max=EMAIL_MAX)],
                        render_kw={"autocomplete": "email", "type": "email"})
    submit = SubmitField(_l("Send confirmation link"))
