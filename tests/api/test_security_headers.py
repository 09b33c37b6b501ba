"""Every response carries the security headers (issue 12, defect 6), HSTS only over TLS.

One mechanism sets them (broker/api/headers.py), after the view and the error handlers, so they are on
successes, problems, routing errors, unexpected 500s and streamed downloads alike
(tests/evidence/test_evidence_security_headers.py has a real download). The OpenAPI document lists
them on every response, so every response of the suite is checked for them as well
(tests/contract/live_openapi.py).
"""

import re
import uuid
from typing import Any

import pytest
from flask import Flask

from broker.api import headers
from broker.app import create_app

ALWAYS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
HSTS = "Strict-Transport-Security"


def assert_secured(response: Any, *, tls: bool = False) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (name, response.status_code, response.request.path)
    if tls:
        assert response.headers[HSTS].startswith("max-age=")
    else:
        assert HSTS not in response.headers


def every_route(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, path values filled with ones that exist nowhere."""

    def value(match: re.Match[str]) -> str:
        return "0" if match.group(1) == "int" else str(uuid.uuid4())

    return sorted(
        (method, re.sub(r"<(?:(\w+):)?\w+>", value, rule.rule))
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    )


def test_every_route_is_listed(app):
    assert len(every_route(app)) >= 40


@pytest.mark.parametrize("who", ["prosecutor", "oversight", None])
def test_every_route_answers_with_the_security_headers(app, client, network, who):
    """Whatever the answer (200, 401, 403, 404, 415, 422 …), the headers are there, and no HSTS over http."""
    credentials = network[who].headers if who else {}
    statuses = set()
    for method, path in every_route(app):
        response = client.open(path, method=method, headers=credentials)
        statuses.add(response.status_code)
        assert_secured(response)
    assert {200, 401} <= statuses or who is not None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/api/v1/nothing-here", id="unknown path"),
        pytest.param("DELETE", "/api/v1/me", id="method not allowed"),
        pytest.param("OPTIONS", "/api/v1/me", id="options"),
        pytest.param("HEAD", "/api/v1/me", id="head"),
        pytest.param("GET", "/api/v1/openapi.json", id="the public document"),
    ],
)
def test_answers_that_no_view_gives_carry_them_too(client, network, method, path):
    assert_secured(client.open(path, method=method, headers=network["prosecutor"].headers))


def test_an_unexpected_error_carries_them(app, client, network, monkeypatch):
    def broken(**path_args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setitem(app.view_functions, "parties.whoami", broken)
    response = client.get("/api/v1/me", headers=network["prosecutor"].headers)
    assert response.status_code == 500
    assert_secured(response)


def test_a_rate_limited_answer_carries_them(database, clock, network):
    app = create_app({"TESTING": True, "RATE_LIMIT_PER_TOKEN": "1/minute"}, clock=clock, database=database)
    client = app.test_client()
    client.get("/api/v1/me", headers=network["prosecutor"].headers)
    response = client.get("/api/v1/me", headers=network["prosecutor"].headers)
    assert response.status_code == 429
    assert_secured(response)


def test_hsts_is_sent_over_tls_on_every_route(app, client, network):
    for method, path in every_route(app):
        response = client.open(
            path, method=method, headers=network["oversight"].headers, base_url="https://broker.example.eu"
        )
        assert_secured(response, tls=True)


@pytest.mark.parametrize(
    ("proxies", "forwarded_proto", "tls"),
    [
        pytest.param(0, "https", False, id="no trusted proxy: a client cannot claim TLS"),
        pytest.param(1, "https", True, id="one trusted proxy that terminated TLS"),
        pytest.param(1, "http", False, id="one trusted proxy, plain http behind it"),
    ],
)
def test_a_forwarded_scheme_counts_only_from_trusted_proxies(
    database, clock, network, proxies, forwarded_proto, tls
):
    app = create_app({"TESTING": True, "TRUSTED_PROXIES": proxies}, clock=clock, database=database)
    response = app.test_client().get(
        "/api/v1/me",
        headers={**network["prosecutor"].headers, "X-Forwarded-Proto": forwarded_proto},
    )
    assert response.status_code == 200
    assert_secured(response, tls=tls)


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_limited(database, clock, network):
    """Rate limits count the client the proxy names, not the proxy, which would lock everybody out."""
    app = create_app(
        {"TESTING": True, "TRUSTED_PROXIES": 1, "RATE_LIMIT_AUTH_FAILURES_PER_ADDRESS": "2/minute"},
        clock=clock,
        database=database,
    )
    client = app.test_client()

    def me(token: str, client_address: str) -> int:
        return client.get(
            "/api/v1/me",
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
        ).status_code

    assert [me("ebt_wrong", "203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert me(network["prosecutor"].token, "203.0.113.8") == 200


def test_another_front_door_adds_its_headers_on_the_same_mechanism(app, client, network, openapi_violations):
    """The portal will add its Content-Security-Policy this way (for its own pages, which API v1 is not)."""
    headers.add_headers(app, lambda request, response: {"Content-Security-Policy": "default-src 'self'"})
    response = client.get("/api/v1/me", headers=network["prosecutor"].headers)
    assert response.headers["Content-Security-Policy"] == "default-src 'self'"
    assert_secured(response)
    # The API's OpenAPI document does not list a header only the portal's pages will carry.
    assert len(openapi_violations) == 1 and "Content-Security-Policy" in openapi_violations[0]
    openapi_violations.clear()
