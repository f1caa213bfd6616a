"""Account pages. Views are thin: they validate the form, call a service, commit once."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from portal.auth import forms, services, tokens
from portal.extensions import db, login_manager
from portal.formflow import run
from portal.i18n import LANG_COOKIE, LANGUAGE_NAMES, current_language
from portal.models import StakeholderType
from portal.organisations import services as organisations
from portal.security import safe_next

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page says why by itself
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load_user(token: str):
    return services.load_session_user(token)


def _ip() -> str:
    return request.remote_addr or "unknown"


def _begin_session(user, remember: bool) -> None:
    # A new session at every login: whatever cookie the browser had before is replaced.
    session.clear()
    services.start_session(user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember, duration=current_app.config["REMEMBER_COOKIE_DURATION"])
    # The CSRF secret goes into the login response's cookie: pages opened at once in several
    # tabs afterwards all share it, instead of racing to create one each. (The token cached for
    # this request belongs to the session just cleared.)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    generate_csrf()


def _trust_this_device(resp, key: str) -> None:
    """The device cookie (OWASP's "device cookies"): this browser logged in to the account, so an attack
    on the account from elsewhere does not lock it out (see portal/auth/throttle.py)."""
    cfg = current_app.config
    resp.set_cookie(cfg["DEVICE_COOKIE_NAME"], tokens.make_device_token(key), max_age=cfg["DEVICE_COOKIE_MAX_AGE"],
                    httponly=True, samesite="Lax", secure=request.is_secure)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    form = forms.LoginForm()
    status = 200
    if form.validate_on_submit():
        key = services.email_key(form.email.data)
        trusted = tokens.device_trusted(request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"]), key)
        result, user = services.authenticate(form.email.data, form.password.data, _ip(), trusted_device=trusted)
        if result == services.LoginResult.OK:
            _begin_session(user, form.remember.data)
            db.session.commit()
            flash(_("You are logged in."), "success")
            resp = redirect(safe_next(request.args.get("next"), url_for("main.home")))
            _trust_this_device(resp, key)
            return resp
        if result == services.LoginResult.UNCONFIRMED:
            services.send_confirmation(user)
            db.session.commit()
            flash(_("Your email address is not confirmed yet. We have sent you a new "
                    "confirmation link: open it, then log in."), "warning")
            return redirect(url_for("auth.login"))
        db.session.commit()  # keep the failed attempt: it counts towards the throttle
        if result == services.LoginResult.THROTTLED:
            status = 429
            form.form_errors.append(_("Too many failed attempts. Wait 15 minutes and try again, "
                                      "or reset your password."))
        elif result == services.LoginResult.INACTIVE:
            status = 200
            form.form_errors.append(_("This account has been deactivated. Contact the "
                                      "secretariat if you think this is a mistake."))
        else:
            form.form_errors.append(_("Email or password is incorrect."))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    existing = None
    if request.method == "POST":
        existing = organisations.find_organisation(request.form.get("organisation", "")[:200])
    form = forms.RegistrationForm(existing_organisation=existing)
    if form.validate_on_submit():
        done = run(form, lambda: services.register(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            organisation_name=form.organisation.data,
            country=form.country.data or None,
            stakeholder_type=StakeholderType(form.stakeholder_type.data)
            if form.stakeholder_type.data else None,
            locale=current_language(),  # mail goes out in the language the person registered in
        ))
        if done is not None:
            return redirect(url_for("auth.registered"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form,
                           organisation_names=organisations.organisation_names()), status


@bp.get("/register/done")
def registered():
    return render_template("auth/registered.html")


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    user = services.confirm_email(token)
    if user is None:
        return render_template("auth/link_invalid.html", resend=True), 400
    db.session.commit()
    flash(_("Your email address is confirmed. You can now log in."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/confirm", methods=["GET", "POST"])
def resend_confirmation():
    form = forms.ResendConfirmationForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data, _ip())
        db.session.commit()
        flash(_("If that address has an account waiting for confirmation, a new link is on "
                "its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/resend_confirmation.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, _ip())
        db.session.commit()
        return render_template("auth/reset_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/link_invalid.html", resend=False), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        resp = redirect(url_for("auth.login"))
        _trust_this_device(resp, services.email_key(user.email))  # the link proved who this is
        return resp
    status = 400 if request.method == "POST" else 200
    resp = make_response(render_template("auth/reset_password.html", form=form), status)
    resp.headers["Referrer-Policy"] = "no-referrer"  # keep the token out of Referer headers
    return resp


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = forms.ProfileForm(obj=current_user)
    form.locale.choices = [("", _("As my browser asks"))] + list(LANGUAGE_NAMES.items())
    if request.method == "GET":
        form.locale.data = current_user.locale or ""
    if form.validate_on_submit():
        services.update_profile(current_user, name=form.name.data, locale=form.locale.data)
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/profile.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        remember = bool(request.cookies.get(current_app.config["REMEMBER_COOKIE_NAME"]))

        def change():
            services.change_password(user, form.current.data, form.password.data)
            _begin_session(user, remember)
            return user

        if run(form, change) is not None:
            flash(_("Your password has been changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("auth.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status


@bp.post("/language")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    resp = redirect(safe_next(request.form.get("next"), url_for("main.home")))
    resp.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return resp
