"""Cross-site request forgery: every POST carries a token that another site cannot know.

- A signed-in (or half signed-in) browser's forms carry its session's synchroniser token
  (`portal_sessions.csrf_token`, made with the session and replaced with it at each sign-in
  step), compared in constant time with what the form sends.
- Forms shown before there is a session (signing in, the language switcher) carry the token of a
  cookie made for the purpose (double submit): another site can make the browser send the cookie
  but cannot read it to put it in the form. The cookie is HttpOnly and SameSite=Strict, and
  `__Host-` prefixed when Secure, so a neighbouring subdomain cannot plant one either.

On top, a POST whose Origin header names another site is refused whatever it carries.
Templates put the token in every form with `{{ csrf_field() }}`; @page checks it before the view.
"""

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Response
from flask import g
from flask import request
from markupsafe import Markup
from markupsafe import escape

from broker.portal import sessions

FIELD = "csrf_token"
COOKIE = "broker_csrf"


class CsrfRefused(Exception):
    """The form's token is missing or wrong, or the request came from another site."""


def token() -> str:
    """The token this page's forms carry: the session's, or the pre-session cookie's (made if missing)."""
    session_token: str | None = g.get("csrf_session_token")
    if session_token is not None:
        return session_token
    existing = g.get("csrf_cookie_token") or request.cookies.get(sessions.cookie_name(COOKIE))
    if not existing:
        existing = secrets.token_urlsafe(32)
        g.csrf_cookie_new = True
    g.csrf_cookie_token = existing
    return str(existing)


def field() -> Markup:
    """The hidden input every form carries."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(token()))


def use_session_token(value: str | None) -> None:
    """This request's forms belong to a session with this synchroniser token (None: no session)."""
    g.csrf_session_token = value


def check(session_token: str | None) -> None:
    """Refuse this POST unless it is same-origin and carries the right token for its session."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and _origin(origin) != _origin(request.host_url):
        raise CsrfRefused(f"a form from {origin} was posted to this site")
    sent = request.form.get(FIELD, "")
    expected = (
        session_token if session_token is not None else request.cookies.get(sessions.cookie_name(COOKIE))
    )
    if not expected or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused("the form's token is missing or does not match this browser's")


def apply_cookie(response: Response) -> None:
    """Send the pre-session token cookie if this page made one."""
    if g.get("csrf_cookie_new"):
        response.set_cookie(
            sessions.cookie_name(COOKIE),
            g.csrf_cookie_token,
            secure=sessions.secure(),
            httponly=True,
            samesite="Strict",
            path="/",
        )


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
