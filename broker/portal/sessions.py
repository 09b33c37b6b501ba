"""The session cookie: the one thing a signed-in browser holds, and how it is set and cleared.

The cookie carries a random token (broker/parties/people/operations/sessions.py keeps its SHA-256
and everything else on the server) and is:

- `HttpOnly`: no script can read it, so an injected script cannot steal the session;
- `Secure` and named with the `__Host-` prefix: sent over HTTPS only, for this host only, for every
  path, and no other site of the same domain can set or overwrite it. BROKER_PORTAL_COOKIE_SECURE
  turns this off for http://127.0.0.1 alone (the demo and the tests), where browsers refuse a
  Secure cookie; the prefix then goes too, since browsers refuse `__Host-` without `Secure`;
- `SameSite=Lax`: not sent with a cross-site POST (with the CSRF token, a second wall against
  cross-site forms), but sent when the person follows a link to an order from an e-mail;
- without Max-Age or Expires: it ends with the browser, and the server ends it sooner anyway.
"""

from flask import Response
from flask import current_app
from flask import request

from broker.parties.people.operations.sessions import SessionPolicy
from broker.portal import settings

SESSION_COOKIE = "broker_session"
POLICY = "broker.portal.session_policy"


def secure() -> bool:
    """Whether cookies are Secure (everywhere but http://127.0.0.1 in the demo and the tests)."""
    return bool(current_app.config["PORTAL_COOKIE_SECURE"])


def cookie_name(base: str) -> str:
    """A cookie's name: `__Host-` prefixed when cookies are Secure."""
    return f"__Host-{base}" if secure() else base


def token() -> str | None:
    """The session token the browser sent, if any."""
    value = request.cookies.get(cookie_name(SESSION_COOKIE))
    return value or None


def start(response: Response, session_token: str) -> None:
    """Have the browser keep `session_token` for this host until it closes."""
    response.set_cookie(
        cookie_name(SESSION_COOKIE), session_token, secure=secure(), httponly=True, samesite="Lax", path="/"
    )


def clear(response: Response) -> None:
    """Have the browser forget its session token."""
    response.delete_cookie(
        cookie_name(SESSION_COOKIE), secure=secure(), httponly=True, samesite="Lax", path="/"
    )


def policy() -> SessionPolicy:
    """How long sessions live, from the running app's settings."""
    found: SessionPolicy | None = current_app.extensions.get(POLICY)
    if found is None:
        found = current_app.extensions[POLICY] = settings.session_policy(current_app.config)
    return found
