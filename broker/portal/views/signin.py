"""Signing in, one thing per page: the password, then the code (or a recovery code); enrolling; signing out.

Each step calls one operation of broker/parties/people/operations/ and words its refusal for the
person. A refused step is counted by the sign-in limits (broker/portal/throttle.py) and recorded
in the audit trail by the operation; the page is answered normally so that the record commits.
"""

from collections.abc import Callable

from flask import Response
from flask import request
from flask import url_for

from broker import problems
from broker.parties.people import totp
from broker.parties.people.operations import credentials
from broker.parties.people.operations import sessions as people_sessions
from broker.parties.people.operations import signin
from broker.parties.people.operations.sessions import Login
from broker.parties.people.operations.sessions import Opened
from broker.parties.people.operations.sessions import SessionPolicy
from broker.parties.people.operations.signin import Refusal
from broker.portal import bp
from broker.portal import qr
from broker.portal import sessions
from broker.portal import throttle
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.page import Access
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.page import safe_next

NOTICES = {
    "idle": N_("You were signed out because you did not use the service for 30 minutes. Sign in again."),
    "expired": N_("Your session ended after 12 hours. Sign in again."),
    "revoked": N_("You have been signed out. Sign in again."),
    "signed-out": N_("You have signed out."),
    "signed-out-everywhere": N_("You have signed out on every device."),
    "password-changed": N_("Your password has been changed. Sign in with your new password."),
}
CODE_ERRORS = {
    Refusal.CODE_MALFORMED: N_("Enter the 6-digit code your authenticator app shows"),
    Refusal.CODE_WRONG: N_("The code is not right. Enter the code your authenticator app shows now"),
    Refusal.CLOCK_OUT_OF_SYNC: N_(
        "The code is for another time: the clock of your device is wrong. Set it to the right "
        "time automatically, then enter the new code"
    ),
    Refusal.CODE_REUSED: N_("This code has been used already. Wait for your app to show a new one"),
}


@bp.route("/login", methods=["GET", "POST"])
@page(Access.ANYONE)
def login(visit: Visit) -> Response:
    """The first step: e-mail address and password."""
    if visit.login is not None and request.method == "GET":
        return _continue(visit, safe_next(request.args.get("next")))
    following = safe_next(request.values.get("next"))
    notice = NOTICES.get(request.args.get("ended") or request.args.get("notice") or "")
    if request.method == "GET":
        return _login_page(visit, Form(), following, notice)
    form = Form(request.form, secret=("password",))
    email = form.required("email", _("Enter your e-mail address"))
    password = form.required("password", _("Enter your password"))
    if not form.valid:
        return _login_page(visit, form, following, None, status=422)
    try:
        throttle.admit(email)
    except problems.RateLimited as limited:
        form.error("email", _too_many(limited))
        return _login_page(visit, form, following, None, status=429)
    outcome = signin.check_password(visit.session, visit.clock, _policy(), email, password)
    if isinstance(outcome, Refusal):
        throttle.failed(email)
        form.error("email", _("The e-mail address or the password is not right"))
        return _login_page(visit, form, following, None, status=422)
    visit.opened(outcome)
    return _continue(visit, following)


@bp.route("/login/code", methods=["GET", "POST"])
@page(Access.SECOND_FACTOR)
def code(visit: Visit) -> Response:
    """The second step: the code of the person's authenticator app."""
    following = safe_next(request.values.get("next"))
    if request.method == "GET":
        return _code_page(visit, Form(), following)
    form = Form(request.form, secret=("code",))
    typed = form.required("code", _("Enter the 6-digit code your authenticator app shows"))
    if not form.valid:
        return _code_page(visit, form, following, status=422)
    login = _login_of(visit)
    outcome = _second_factor(
        visit, form, "code", lambda: signin.check_code(visit.session, visit.clock, _policy(), login, typed)
    )
    if isinstance(outcome, int):
        return _code_page(visit, form, following, status=outcome)
    visit.opened(outcome)
    return _continue(visit, following)


@bp.route("/login/recovery", methods=["GET", "POST"])
@page(Access.SECOND_FACTOR)
def recovery(visit: Visit) -> Response:
    """The second step with a recovery code, for a person whose device is lost."""
    following = safe_next(request.values.get("next"))
    if request.method == "GET":
        return _recovery_page(visit, Form(), following)
    form = Form(request.form, secret=("recovery_code",))
    typed = form.required("recovery_code", _("Enter one of your recovery codes"))
    if not form.valid:
        return _recovery_page(visit, form, following, status=422)
    login = _login_of(visit)
    outcome = _second_factor(
        visit,
        form,
        "recovery_code",
        lambda: signin.use_recovery_code(visit.session, visit.clock, _policy(), login, typed),
    )
    if isinstance(outcome, int):
        return _recovery_page(visit, form, following, status=outcome)
    visit.opened(outcome)
    return _continue(visit, following)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@page(Access.ENROLMENT)
def enrol(visit: Visit) -> Response:
    """First sign-in: set up the authenticator app, confirm with its code, keep the recovery codes."""
    login = _login_of(visit)
    secret = credentials.enrolment_secret(login)
    if request.method == "GET":
        return _enrol_page(visit, Form(), secret)
    form = Form(request.form, secret=("code",))
    typed = form.required("code", _("Enter the 6-digit code your authenticator app shows"))
    if not form.valid:
        return _enrol_page(visit, form, secret, status=422)
    outcome = credentials.confirm_enrolment(visit.session, visit.clock, _policy(), login, typed)
    if isinstance(outcome, Refusal):
        form.error("code", _(CODE_ERRORS.get(outcome, CODE_ERRORS[Refusal.CODE_WRONG])))
        return _enrol_page(visit, form, secret, status=422)
    opened, codes = outcome
    visit.opened(opened)
    return visit.render("signin/recovery_codes.html", codes=codes)


@bp.post("/logout")
@page(Access.ANYONE)
def logout(visit: Visit) -> Response:
    """Sign this browser out (a half-finished sign-in too)."""
    if visit.login is not None:
        people_sessions.sign_out(visit.session, visit.clock, visit.login)
    visit.signed_out()
    return visit.redirect("portal.login", notice="signed-out")


def _second_factor(
    visit: Visit, form: Form, name: str, check: Callable[[], Opened | Refusal]
) -> Opened | int:
    """Run a second-factor check within the limits: the new session, or the status of the refusal
    whose message is now on the form."""
    account = _login_of(visit).user.email
    try:
        throttle.admit(account)
    except problems.RateLimited as limited:
        form.error(name, _too_many(limited))
        return 429
    outcome = check()
    if isinstance(outcome, Opened):
        return outcome
    if outcome is not Refusal.CODE_MALFORMED:
        throttle.failed(account)
    if outcome is Refusal.RECOVERY_CODE_WRONG:
        form.error(name, _("The recovery code is not right, or it has been used already"))
    else:
        form.error(name, _(CODE_ERRORS.get(outcome, CODE_ERRORS[Refusal.CODE_WRONG])))
    return 422


def _login_of(visit: Visit) -> Login:
    """The session of a page that @page admits only with one."""
    if visit.login is None:  # pragma: no cover - @page's access rule guarantees it
        raise problems.Unauthenticated("sign in first")
    return visit.login


def _policy() -> SessionPolicy:
    return sessions.policy()


def _continue(visit: Visit, following: str | None) -> Response:
    """On to the next step of signing in, or to the page the person was going to."""
    stage = _login_of(visit).stage.value
    query = {"next": following} if following else {}
    if stage == Access.SECOND_FACTOR:
        return visit.redirect("portal.code", **query)
    if stage == Access.ENROLMENT:
        return visit.redirect("portal.enrol")
    return Response(status=303, headers={"Location": following or url_for("portal.dashboard")})


def _too_many(limited: problems.RateLimited) -> str:
    seconds = limited.extensions.get("retry_after", 60)
    return _(
        "Too many attempts. For your account's safety, wait %(seconds)s seconds, then try again",
        seconds=seconds,
    )


def _login_page(
    visit: Visit, form: Form, following: str | None, notice: str | None, status: int = 200
) -> Response:
    return visit.render(
        "signin/login.html",
        form=form,
        following=following,
        notice=_(notice) if notice else None,
        status=status,
    )


def _code_page(visit: Visit, form: Form, following: str | None, status: int = 200) -> Response:
    return visit.render("signin/code.html", form=form, following=following, status=status)


def _recovery_page(visit: Visit, form: Form, following: str | None, status: int = 200) -> Response:
    return visit.render("signin/recovery.html", form=form, following=following, status=status)


def _enrol_page(visit: Visit, form: Form, secret: str, status: int = 200) -> Response:
    uri = totp.provisioning_uri(secret, _login_of(visit).user.email)
    return visit.render(
        "signin/enrol.html",
        form=form,
        secret=" ".join(secret[start : start + 4] for start in range(0, len(secret), 4)),
        qr_code=qr.data_uri(uri),
        status=status,
    )
