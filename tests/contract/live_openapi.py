"""Pytest plugin: every response the Flask test client produces in the suite is checked against the OpenAPI document.

tests/conftest.py registers it. From then on every broker app's `test_client()` (the `client` fixture,
apps a test builds itself, the demo run in-process) is a `ContractClient`, which checks each answer
against GET /api/v1/openapi.json as built once per session: the status is listed for the operation,
the media type is the documented one, the JSON body is valid against the documented schema (JSON
Schema 2020-12, formats asserted), the documented required headers are present and valid, no other
header beyond Content-Type and Content-Length is sent, and a successful signed request carried a
message type the operation lists. A path the document does not list must answer its `UnknownPath`
response (404), a method a path does not list its `MethodNotAllowed` response (405, Allow naming
the path's methods), OPTIONS its `Options` response; HEAD is checked as GET without a body.

A mismatch fails the test phase (setup, call or teardown) that produced it, naming method, path,
status and what differs. What is not checked, on purpose: responses of a Flask app that is not the
broker (none today), the web portal's pages (broker/portal: HTML for people, not the API), responses
served over a real socket (waitress in the evidence and serve tests), and the bytes of a binary body
(documented as format: binary). `--no-openapi-check` turns the check
off, e.g. to time the suite without it.

jsonschema rather than openapi-core: the document is OpenAPI 3.1, whose schemas are JSON Schema
2020-12, so jsonschema validates them as they are; the rest (matching a path, statuses, media types,
headers) is a few lines here, and jsonschema is already a test dependency.
"""

import base64
import binascii
import io
import json
import re
from collections.abc import Generator
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from jsonschema import FormatChecker
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response

from broker.api.openapi import build_spec

DOCUMENT_URI = "urn:eevidence-broker:openapi"
OPERATION_METHODS = ("get", "put", "post", "delete", "patch")
# Sent with every response: the HTTP framing, which the document does not list.
FRAMING_HEADERS = frozenset({"content-type", "content-length"})
# Only the broker's own apps are checked; any other app would be named here.
BROKER_VIEW = "openapi.openapi_document"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
MAX_ERRORS = 5

FORMATS = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMATS.checkers[_name] = _check


@FORMATS.checks("date-time")
def _rfc3339(instance: object) -> bool:
    """RFC 3339 date-time, with an offset (jsonschema needs an extra package to check it)."""
    return not isinstance(instance, str) or RFC3339.match(instance) is not None


def pointer(*tokens: str) -> str:
    """A JSON Pointer (RFC 6901) into the document, quoted for a URI fragment."""
    return "/" + "/".join(quote(t.replace("~", "~0").replace("/", "~1"), safe="") for t in tokens)


class Contract:
    """The OpenAPI document, compiled once: path templates, and a validator per schema, made when first needed."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self.validators: dict[str, Draft202012Validator] = {}
        # Concrete segments before templated ones, as OpenAPI matches paths.
        self.templates: list[tuple[tuple[bool, ...], str, list[str]]] = sorted(
            (tuple(segment.startswith("{") for segment in path.split("/")), path, path.split("/"))
            for path in document["paths"]
        )

    def validator(self, location: str) -> Draft202012Validator:
        if location not in self.validators:
            self.validators[location] = Draft202012Validator(
                {"$ref": f"{DOCUMENT_URI}#{location}"}, registry=self.registry, format_checker=FORMATS
            )
        return self.validators[location]

    def template(self, path: str) -> str | None:
        """The documented path template `path` falls under, if any."""
        segments = path.split("/")
        for _, template, parts in self.templates:
            if len(parts) == len(segments) and all(
                part == segment or (part.startswith("{") and segment)
                for part, segment in zip(parts, segments, strict=True)
            ):
                return template
        return None

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local $ref, if the node is one."""
        ref = node.get("$ref")
        if ref is None:
            return node
        target: Any = self.document
        for token in ref.removeprefix("#/").split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        return dict(target)

    def check(self, method: str, path: str, response: Response, request_body: bytes | None) -> list[str]:
        """What in this response differs from the document; empty when it conforms."""
        status = response.status_code
        template = self.template(path)
        if template is None:
            return self._expected(response, status, "UnknownPath", 404, f"{path} is not a documented path")
        item = self.document["paths"][template]
        operation_method = "get" if method == "HEAD" else method.lower()
        if operation_method not in item:
            documented = {m.upper() for m in item if m in OPERATION_METHODS}
            name, expected = ("Options", 200) if method == "OPTIONS" else ("MethodNotAllowed", 405)
            found = self._expected(response, status, name, expected, f"{template} takes no {method}")
            allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
            if status == expected and allow - {"HEAD", "OPTIONS"} != documented:
                found.append(f"Allow is {sorted(allow)}, but {template} documents {sorted(documented)}")
            return found
        operation = item[operation_method]
        documented_response = operation["responses"].get(str(status))
        if documented_response is None:
            listed = ", ".join(operation["responses"])
            return [f"status {status} is not documented for {method} {template} (documented: {listed})"]
        location = pointer("paths", template, operation_method, "responses", str(status))
        found = self._response(documented_response, location, response, head=method == "HEAD")
        if 200 <= status < 300 and request_body is not None:
            found += self._message_type(operation, request_body)
        return found

    def _expected(
        self, response: Response, status: int, name: str, expected_status: int, why: str
    ) -> list[str]:
        if status != expected_status:
            return [f"{why}: it must answer {expected_status}, not {status}"]
        documented = self.document["components"]["responses"][name]
        return self._response(documented, pointer("components", "responses", name), response, head=False)

    def _response(
        self, documented: dict[str, Any], location: str, response: Response, *, head: bool
    ) -> list[str]:
        found = self._headers(documented, location, response)
        content = documented.get("content", {})
        media_type = response.mimetype or ""
        if not content:
            if response.get_data() and not head:
                found.append(f"a {media_type} body, but the document describes none")
            return found
        if media_type not in content:
            return [*found, f"content type {media_type!r}, documented: {', '.join(content)}"]
        if head or not (media_type == "application/json" or media_type.endswith("+json")):
            return found  # a binary body is format: binary; HEAD has none
        try:
            body = json.loads(response.get_data())
        except ValueError as refusal:
            return [*found, f"the {media_type} body is not JSON: {refusal}"]
        schema_location = location + pointer("content", media_type, "schema")
        schema = content[media_type]["schema"]
        mapping = schema.get("discriminator", {}).get("mapping", {})
        if isinstance(body, dict) and body.get("type") in mapping:
            # One problem type of several: validate against its own schema, for errors that say why.
            schema_location = mapping[body["type"]].removeprefix("#")
        elif mapping:
            sent = body.get("type") if isinstance(body, dict) else body
            return [*found, f"problem type {sent!r} is not documented for this status ({', '.join(mapping)})"]
        errors = sorted(
            self.validator(schema_location).iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]
        )
        for error in errors[:MAX_ERRORS]:
            where = "/".join(str(part) for part in error.absolute_path)
            found.append(f"body at /{where}: {error.message} (schema {schema_location})")
        return found

    def _headers(self, documented: dict[str, Any], location: str, response: Response) -> list[str]:
        found: list[str] = []
        listed: set[str] = set()
        for name, header in documented.get("headers", {}).items():
            listed.add(name.lower())
            value = response.headers.get(name)
            if value is None:
                if self.resolve(header).get("required"):
                    found.append(f"header {name} is missing")
                continue
            schema = (
                header["$ref"].removeprefix("#") if "$ref" in header else location + pointer("headers", name)
            )
            for error in self.validator(schema + "/schema").iter_errors(value):
                found.append(f"header {name}: {error.message}")
        for name in {name for name, _ in response.headers}:
            if name.lower() not in listed | FRAMING_HEADERS:
                found.append(f"header {name} is sent but not documented for this response")
        return found

    def _message_type(self, operation: dict[str, Any], request_body: bytes) -> list[str]:
        """A signed request that succeeded carried a message type the operation lists."""
        media = operation.get("requestBody", {}).get("content", {}).get("application/jose")
        if media is None:
            return []
        try:
            payload = request_body.decode("ascii").strip().split(".")[1]
            envelope = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            sent = envelope["type"]
        except (UnicodeDecodeError, IndexError, binascii.Error, ValueError, KeyError, TypeError):
            return ["a signed request succeeded, but its body is not a JWS over an envelope"]
        listed = [kind["type"] for kind in media["x-message-types"]]
        if sent not in listed:
            return [f"a {sent!r} message was accepted, but x-message-types lists {listed}"]
        return []


_contract: Contract | None = None
_violations: list[str] = []


def contract(app: Flask) -> Contract:
    """The document, built from the first broker app of the session (every app describes the same routes)."""
    global _contract
    if _contract is None:
        _contract = Contract(build_spec(app))
    return _contract


class ContractClient(FlaskClient):
    """Flask's test client, checking every answer against the OpenAPI document."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        portal = _portal_page(self.application, response.request)
        if BROKER_VIEW in self.application.view_functions and not portal:
            request = response.request
            raw = request.environ.get("wsgi.input")
            body = raw.getvalue() if isinstance(raw, io.BytesIO) else None
            for mismatch in contract(self.application).check(request.method, request.path, response, body):
                _violations.append(f"{request.method} {request.path} -> {response.status_code}: {mismatch}")
        return response


def _portal_page(app: Flask, request: Any) -> bool:
    """A page of the web portal (HTML for people, broker/portal), which the API's document does not describe."""
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(request.path, method=request.method)
    except MethodNotAllowed as refused:
        # A portal page asked with a method it does not take (GET /logout) is still the portal's.
        methods = refused.valid_methods or []
        return any(str(adapter.match(request.path, method=m)[0]).startswith("portal.") for m in methods)
    except HTTPException:
        return False
    return str(endpoint).startswith("portal.")


class ContractViolation(AssertionError):
    """Responses that differ from the OpenAPI document."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-openapi-check",
        action="store_true",
        help="do not check the test client's responses against the OpenAPI document",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("no_openapi_check"):
        Flask.test_client_class = ContractClient


def pytest_unconfigure(config: pytest.Config) -> None:
    if Flask.test_client_class is ContractClient:
        Flask.test_client_class = None


def _fail_on_violations() -> Generator[None, object, object]:
    _violations.clear()
    try:
        return (yield)
    finally:
        found = list(_violations)
        _violations.clear()
        if found:
            raise ContractViolation(
                f"{len(found)} response(s) differ from the OpenAPI document:\n" + "\n".join(found)
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _fail_on_violations())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _fail_on_violations())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    return (yield from _fail_on_violations())


@pytest.fixture
def openapi_violations() -> Iterator[list[str]]:
    """The mismatches recorded in this test, taken over by it: a test that provokes them on purpose clears the list."""
    yield _violations
