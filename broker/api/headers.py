"""Headers every response carries, added in one place after the view and the error handlers ran.

- `X-Content-Type-Options: nosniff`: a browser never guesses a type, so neither a JSON answer nor
  evidence ciphertext is ever run as a script or shown as a page.
- `Cache-Control: no-store`: every answer is one party's view of orders, evidence, the registry or
  the log, and no browser or proxy may keep it. The OpenAPI document and the errors too: one rule
  without exceptions is one that cannot be got wrong when a route is added.
- `Referrer-Policy: no-referrer`: nothing the broker serves tells the next site where it came from.
- `Strict-Transport-Security`, only when the request came over TLS (`request.is_secure`): browsers
  ignore it on plain HTTP, where `broker serve` listens behind a TLS proxy or on loopback. Behind
  a proxy, the scheme it forwards counts only if BROKER_TRUSTED_PROXIES says how many proxies to
  trust (werkzeug's ProxyFix), so a client cannot claim TLS by sending X-Forwarded-Proto itself.

Another front door adds its own headers on the same mechanism (`add_headers`): the portal its
Content-Security-Policy, for the pages it serves.
"""

from collections.abc import Callable
from collections.abc import Mapping

from flask import Flask
from flask import Request
from flask import Response
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

EXTENSION = "broker.response_headers"

# What every response carries, whatever its route and status.
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}
# Two years, the value HSTS preload lists ask for; sent only over TLS.
HSTS = "max-age=63072000"

# Given the request and the response about to leave, the headers to set on it.
HeaderSource = Callable[[Request, Response], Mapping[str, str]]


def security_headers(incoming: Request, response: Response) -> Mapping[str, str]:
    """The headers above: always the first three, HSTS when the request came over TLS."""
    if incoming.is_secure:
        return {**ALWAYS, "Strict-Transport-Security": HSTS}
    return ALWAYS


def add_headers(app: Flask, source: HeaderSource) -> None:
    """Have `source` set headers on every response of `app`, after those added before it."""
    app.extensions.setdefault(EXTENSION, []).append(source)


def init_app(app: Flask) -> None:
    """Set the security headers on every response; trust TRUSTED_PROXIES proxies' X-Forwarded-For/-Proto."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    add_headers(app, security_headers)

    @app.after_request
    def _set_headers(response: Response) -> Response:
        for source in app.extensions[EXTENSION]:
            response.headers.update(source(request, response))
        return response
