"""The person's own account: who they are, their language, their password, the e-mails they receive,
signing out everywhere.

The language switcher in every page's header is here too: it works before signing in (a cookie)
and, once signed in, is remembered on the account as well.
"""

from flask import Response
from flask import request
from flask import url_for

from broker import problems
from broker.notify.mail import operations as mail_operations
from broker.notify.mail import queries as mail_queries
from broker.notify.models import MailTopic
from broker.parties.people import passwords
from broker.parties.people import queries as people_queries
from broker.parties.people.operations import credentials
from broker.parties.people.operations import sessions as people_sessions
from broker.parties.people.operations.sessions import Login
from broker.portal import bp
from broker.portal import i18n
from broker.portal import sessions
from broker.portal.forms import Form
from broker.portal.i18n import N_
from broker.portal.i18n import gettext as _
from broker.portal.page import Access
from broker.portal.page import Visit
from broker.portal.page import page
from broker.portal.page import safe_next
from broker.vocabulary import OrganisationKind

# The switcher's cookie is kept a year: it only says which language to show before signing in.
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
WEAKNESSES = {
    passwords.Weakness.TOO_SHORT: N_("Password must be 12 characters or more"),
    passwords.Weakness.TOO_LONG: N_("Password must be 1,024 characters or fewer"),
    passwords.Weakness.IS_EMAIL: N_("Password must not be your e-mail address"),
}
NOTICES = {
    "language": N_("Your language has been changed."),
    "password": N_("Your password has been changed. You have been signed out on your other devices."),
    "mail": N_("Your choice of e-mails has been saved."),
}
# Each topic a person may receive, with its label and hint, in the order the page shows them.
MAIL_TOPICS = {
    MailTopic.ORDER_ARRIVED: (
        N_("An order arrives"),
        N_("Addressed to your organisation, notified to it for review, or sent to it for enforcement."),
    ),
    MailTopic.MESSAGE_RECEIVED: (
        N_("An answer or another message arrives"),
        N_(
            "A response, an acknowledgement, a request for clarification or any other message to your organisation."
        ),
    ),
    MailTopic.DEADLINE_NEAR: (
        N_("A deadline nears"),
        N_("A fifth of its time before it ends, and at most a day before."),
    ),
    MailTopic.DEADLINE_PASSED: (
        N_("A deadline passes"),
        N_("The time allowed ended and the step was not taken."),
    ),
}


@bp.get("/account")
@page()
def account(visit: Visit) -> Response:
    """Who the person is and acts for, and what they can change."""
    login = _login_of(visit)
    return visit.render(
        "account/account.html",
        user=login.user,
        codes_left=people_queries.recovery_codes_left(visit.session, login.user.id),
        notice=_(NOTICES[request.args["notice"]]) if request.args.get("notice") in NOTICES else None,
    )


@bp.route("/account/password", methods=["GET", "POST"])
@page()
def password(visit: Visit) -> Response:
    """Change the password: the current one, then the new one twice."""
    if request.method == "GET":
        return visit.render("account/password.html", form=Form())
    login = _login_of(visit)
    form = Form(request.form, secret=("current_password", "new_password", "confirm_password"))
    current = form.required("current_password", _("Enter your current password"))
    new = form.required("new_password", _("Enter a new password"))
    confirmation = form.required("confirm_password", _("Enter the new password again"))
    weakness = passwords.weakness(new, login.user.email) if new else None
    if weakness is not None:
        form.error("new_password", _(WEAKNESSES[weakness]))
    if new and confirmation and new != confirmation:
        form.error("confirm_password", _("The two new passwords are not the same"))
    if not form.valid:
        return visit.render("account/password.html", form=form, status=422)
    if credentials.change_password(visit.session, visit.clock, login, current, new) is not None:
        form.error("current_password", _("Your current password is not right"))
        return visit.render("account/password.html", form=form, status=422)
    return visit.redirect("portal.account", notice="password")


@bp.route("/account/mail", methods=["GET", "POST"])
@page()
def mail(visit: Visit) -> Response:
    """Which e-mails the person receives: each topic ticked or not; the mails carry no order content."""
    login = _login_of(visit)
    chosen = mail_queries.choices_of(visit.session, login.user.id)
    form = Form()
    if request.method == "POST":
        posted = request.form.getlist("topic")
        known = {topic.value: topic for topic in MailTopic}
        if all(value in known for value in posted):
            mail_operations.choose(
                visit.session, visit.clock, login.user.id, {known[value] for value in posted}
            )
            return visit.redirect("portal.account", notice="mail")
        form.error("topic", _("Choose only from the e-mails listed"))
        chosen = {topic: topic.value in posted for topic in MailTopic}
    return visit.render(
        "account/mail.html",
        form=form,
        topics=[(topic, _(label), _(hint), chosen[topic]) for topic, (label, hint) in MAIL_TOPICS.items()],
        party=login.user.organisation.kind is not OrganisationKind.OVERSIGHT_BODY,
        provider=login.user.organisation.kind is OrganisationKind.PROVIDER,
        status=200 if form.valid else 422,
    )


@bp.post("/account/sign-out-everywhere")
@page()
def sign_out_everywhere(visit: Visit) -> Response:
    """End every session of the person, on every device, this one included."""
    people_sessions.sign_out_everywhere(visit.session, visit.clock, _login_of(visit))
    visit.signed_out()
    return visit.redirect("portal.login", notice="signed-out-everywhere")


@bp.post("/language")
@page(Access.ANYONE)
def language(visit: Visit) -> Response:
    """The language switcher: remembered on the account when signed in, and in a cookie in any case."""
    chosen = request.form.get("language", "")
    if chosen not in i18n.languages():
        raise problems.ValidationFailed(
            f"{chosen!r} is not a language of the portal", errors={"language": ["unknown language"]}
        )
    if visit.login is not None:
        credentials.set_language(visit.session, visit.login.user, chosen)
    response = Response(status=303, headers={"Location": _back()})
    response.set_cookie(
        i18n.COOKIE,  # no __Host- prefix: it only picks a language, which a neighbour could not abuse
        chosen,
        max_age=LANGUAGE_COOKIE_SECONDS,
        secure=sessions.secure(),
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


def _back() -> str:
    """The page the switcher was used on (a path of this site), or the dashboard."""
    return safe_next(request.form.get("next")) or url_for("portal.dashboard")


def _login_of(visit: Visit) -> Login:
    if visit.login is None:  # pragma: no cover - @page admits signed-in people only
        raise problems.Unauthenticated("sign in first")
    return visit.login
