"""The portal's response headers, built in one place per request (as Warehouse's csp.py does).

Every portal page carries a strict Content-Security-Policy: scripts, styles, fonts and forms only
from this origin, no inline script or style, no plugin, never framed, no <base> rewriting. An
injected `<script>` or `onclick=` therefore does not run even if escaping were ever missed. Images
may also be `data:` URIs (the enrolment QR code). The signing script (static/signing.js) is a file
of this origin, so signing in the browser needs nothing more. A page that does need more adds a
source with `allow(directive, source)` for its own response alone, so the policy cannot widen by
accident elsewhere.

The headers are set through the API's one mechanism (broker/api/headers.py, `add_headers`), after
its own (nosniff, no-store, no-referrer, HSTS over TLS), on the portal's responses only: the API's
responses keep exactly the headers its OpenAPI document lists.
"""

from collections.abc import Mapping

from flask import Flask
from flask import Request
from flask import Response
from flask import g

from broker.api import headers

BLUEPRINT = "portal"

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'none'",),
    "object-src": ("'none'",),
}

PORTAL_HEADERS = {
    # Older browsers' equivalent of frame-ancestors 'none' (clickjacking).
    "X-Frame-Options": "DENY",
    # Another site's window opened from a portal page gets no handle on it, and the reverse.
    "Cross-Origin-Opener-Policy": "same-origin",
    # The portal uses no camera, microphone, location or payment: no page may ask for them.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def allow(directive: str, source: str) -> None:
    """Add `source` to `directive` for this response only (a page that needs one more source)."""
    extra: dict[str, list[str]] = g.setdefault("csp_extra", {})
    extra.setdefault(directive, []).append(source)


def content_security_policy(extra: Mapping[str, list[str]] | None = None) -> str:
    """The policy of one response: POLICY plus what its page allowed."""
    directives = {name: list(sources) for name, sources in POLICY.items()}
    for name, sources in (extra or {}).items():
        directives.setdefault(name, []).extend(source for source in sources if source not in directives[name])
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def portal_headers(incoming: Request, response: Response) -> Mapping[str, str]:
    """The CSP and the portal's other headers, on the portal's responses only (its pages, and the page for a
    method a portal address does not take, which routing refuses before the blueprint is known)."""
    if incoming.blueprint != BLUEPRINT and not g.get("portal_page"):
        return {}
    return {"Content-Security-Policy": content_security_policy(g.get("csp_extra")), **PORTAL_HEADERS}


def init_app(app: Flask) -> None:
    headers.add_headers(app, portal_headers)
