"""The OpenAPI document says what the server does: problem types with their members, headers, message types.

The live check itself (tests/contract/live_openapi.py) runs on every response of the suite; the tests
here show that it refuses what differs from the document, and that the document's problem types,
headers and signed bodies are the ones broker/problems.py, the views and schemas/ define.
"""

import ast
import base64
import inspect
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from contract import live_openapi
from flask import Response
from jsonschema import Draft202012Validator

from broker import problems
from broker.api import openapi
from broker.api.openapi import problem_schema_name
from broker.api.views import parties as party_views
from broker.vocabulary import MessageType
from broker.vocabulary import OrganisationKind
from broker.vocabulary import Role
from broker.wire.registry import BODY_SCHEMAS
from broker.wire.registry import NOTIFICATION_BODY_SCHEMAS
from broker.wire.registry import REMOVAL_BODY_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
PROBLEMS_MD = ROOT / "docs" / "problems.md"
ME = "/api/v1/me"
ORDER = f"/api/v1/orders/{uuid.uuid4()}"
DOWNLOAD = f"{ORDER}/evidence/{uuid.uuid4()}/content"


@pytest.fixture
def document(app) -> dict[str, Any]:
    return live_openapi.contract(app).document


@pytest.fixture
def contract(app) -> live_openapi.Contract:
    return live_openapi.contract(app)


# What every response carries (broker/api/headers.py), as the document says.
EVERY_RESPONSE = {
    name: openapi.HEADERS[name]["schema"]["const"]
    for name in openapi.EVERY_RESPONSE_HEADERS
    if openapi.HEADERS[name]["required"]
}


def refused(
    kind: type[problems.Problem],
    status: int | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> Response:
    """A problem response as the API writes one, with any status, headers and members."""
    document = {
        "type": problems.PROBLEM_BASE + kind.slug,
        "title": kind.title,
        "status": status or kind.status,
        "detail": "something",
        "instance": "/api/v1/…",
        **members,
    }
    return Response(
        json.dumps(document),
        status=status or kind.status,
        mimetype="application/problem+json",
        headers={**EVERY_RESPONSE, **(headers or {})},
    )


def answered(body: Any, status: int = 200, media_type: str = "application/json") -> Response:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Response(data, status, mimetype=media_type, headers=EVERY_RESPONSE)


def jws(message_type: str) -> bytes:
    """A JWS-shaped request body whose envelope has this type (the checker reads, never verifies, it)."""
    payload = base64.urlsafe_b64encode(json.dumps({"type": message_type}).encode()).rstrip(b"=")
    return b"eyJhbGciOiJFZERTQSJ9." + payload + b".c2ln"


BEARER = {"WWW-Authenticate": 'Bearer realm="eevidence-broker"'}
HELD = "2026-12-04T12:35:06.840454Z"


# ---------------------------------------------------------------------------------------------------------
# The checker refuses what differs from the document
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "response", "request_body", "mismatch"),
    [
        pytest.param(
            "GET", ME, refused(problems.Conflict), None, "status 409 is not documented for GET /api/v1/me",
            id="a status the operation does not list",
        ),
        pytest.param(
            "GET", ME, answered("hello", media_type="text/plain"), None,
            "content type 'text/plain', documented: application/json", id="another media type",
        ),
        pytest.param(
            "GET", ME, answered("{not json"), None, "the application/json body is not JSON", id="not JSON",
        ),
        pytest.param(
            "GET", ME, answered({"user": 1}), None, "body at /user: 1 is not of type 'object'",
            id="a body the schema refuses",
        ),
        pytest.param(
            "GET", ORDER, refused(problems.NotFound, state="draft"), None,
            "Unevaluated properties are not allowed ('state' was unexpected)",
            id="a member the problem type does not declare",
        ),
        pytest.param(
            "GET", DOWNLOAD, refused(problems.TransferHeld), None, "'held_until' is a required property",
            id="a problem type without its required member",
        ),
        pytest.param(
            "GET", DOWNLOAD, refused(problems.TransferHeld, held_until="in ten days"), None,
            "body at /held_until: 'in ten days' is not a 'date-time'", id="a member of the wrong format",
        ),
        pytest.param(
            "GET", ME, refused(problems.Forbidden, 401, BEARER), None,
            "problem type 'urn:eevidence-broker:problem:forbidden' is not documented for this status",
            id="a problem type the status does not list",
        ),
        pytest.param(
            "GET", ME, refused(problems.Unauthenticated), None, "header WWW-Authenticate is missing",
            id="a 401 without WWW-Authenticate",
        ),
        pytest.param(
            "GET", ME, refused(problems.Unauthenticated, headers={"WWW-Authenticate": "Basic"}), None,
            "header WWW-Authenticate: 'Bearer realm=\"eevidence-broker\"' was expected",
            id="a header with another value",
        ),
        pytest.param(
            "GET", ME, refused(problems.Unauthenticated, headers={**BEARER, "Idempotent-Replayed": "true"}),
            None, "header Idempotent-Replayed is sent but not documented for this response",
            id="a header the response does not document",
        ),
        pytest.param(
            "GET", DOWNLOAD, answered(b"bytes", media_type="application/octet-stream"), None,
            "header ETag is missing", id="a download without its headers",
        ),
        pytest.param(
            "GET", DOWNLOAD, refused(problems.InvalidByteRange, size=3), None,
            "header Content-Range is missing", id="a 416 without Content-Range",
        ),
        pytest.param(
            "DELETE", ME, refused(problems.MethodNotAllowed, headers={"Allow": "GET, POST"}), None,
            "Allow is ['GET', 'POST'], but /api/v1/me documents ['GET']", id="Allow names other methods",
        ),
        pytest.param(
            "DELETE", ME, refused(problems.NotFound), None,
            "/api/v1/me takes no DELETE: it must answer 405, not 404", id="a method the path lacks, not 405",
        ),
        pytest.param(
            "GET", "/api/v1/nothing-here", answered({}), None,
            "/api/v1/nothing-here is not a documented path: it must answer 404, not 200",
            id="an unknown path, not 404",
        ),
        pytest.param(
            "OPTIONS", ME, answered("", media_type="text/html"), None,
            "header Allow is missing", id="OPTIONS without Allow",
        ),
        pytest.param(
            "POST", f"{ORDER}/responses", answered({}, 201), jws("acknowledgement"),
            "a 'acknowledgement' message was accepted, but x-message-types lists ['response']",
            id="a message type the signed route does not list",
        ),
    ],
)  # fmt: skip
def test_the_checker_refuses_a_response_that_differs_from_the_document(
    contract, method, path, response, request_body, mismatch
):
    found = contract.check(method, path, response, request_body)
    assert any(mismatch in line for line in found), found


@pytest.mark.parametrize(
    ("method", "path", "response"),
    [
        pytest.param("GET", ME, refused(problems.TokenExpired, headers=BEARER), id="a 401 as documented"),
        pytest.param(
            "DELETE", ME, refused(problems.MethodNotAllowed, headers={"Allow": "HEAD, GET, OPTIONS"}),
            id="a 405 naming the path's methods",
        ),
        pytest.param("GET", "/elsewhere", refused(problems.NotFound), id="an unknown path's 404"),
        pytest.param(
            "GET", DOWNLOAD, refused(problems.TransferHeld, held_until=HELD), id="a problem with its member",
        ),
        pytest.param(
            "POST", f"{ORDER}/messages", refused(problems.Unauthenticated, headers=BEARER),
            id="a refused signed message (its type is checked only on success)",
        ),
        pytest.param(
            "HEAD", ME, refused(problems.Unauthenticated, headers=BEARER), id="HEAD, checked as GET",
        ),
    ],
)  # fmt: skip
def test_the_checker_accepts_a_response_as_documented(contract, method, path, response):
    assert contract.check(method, path, response, None) == []


def test_a_live_response_that_differs_is_recorded_against_the_test(
    client, network, monkeypatch, openapi_violations
):
    """A view raising a problem its endpoint does not declare: the client records it, the test phase fails."""

    def refuse(*args: Any) -> None:
        raise problems.Conflict("not a problem GET /me may return")

    monkeypatch.setattr(party_views.queries, "user", refuse)
    assert client.get(ME, headers=network["prosecutor"].headers).status_code == 409
    assert [line.split(" (documented")[0] for line in openapi_violations] == [
        "GET /api/v1/me -> 409: status 409 is not documented for GET /api/v1/me"
    ]
    openapi_violations.clear()  # taken over: this test provoked it


def test_a_recorded_mismatch_fails_the_test_phase():
    phase = live_openapi._fail_on_violations()
    next(phase)
    live_openapi._violations.append("GET /api/v1/me -> 200: body at /: 'user' is a required property")
    with pytest.raises(
        live_openapi.ContractViolation, match=r"1 response\(s\) differ .*\nGET /api/v1/me -> 200"
    ):
        phase.send(None)
    assert live_openapi._violations == []


@pytest.mark.parametrize(
    ("method", "path", "token", "status"),
    [
        pytest.param("GET", ME, True, 200, id="a read"),
        pytest.param("GET", ME, False, 401, id="no token"),
        pytest.param("HEAD", ME, True, 200, id="HEAD"),
        pytest.param("OPTIONS", ME, False, 200, id="OPTIONS"),
        pytest.param("DELETE", ME, True, 405, id="a method the path lacks"),
        pytest.param("GET", "/api/v1/orders/not-a-uuid", True, 404, id="a path value its converter refuses"),
        pytest.param(
            "GET", "/api/v1/audit/entries/-1", True, 404, id="a log index that is not a whole number"
        ),
        pytest.param("GET", "/elsewhere", True, 404, id="a path outside the API"),
    ],
)
def test_a_live_response_as_documented_records_nothing(
    client, network, openapi_violations, method, path, token, status
):
    headers = network["oversight"].headers if token else {}
    assert client.open(path, method=method, headers=headers).status_code == status
    assert openapi_violations == []


# ---------------------------------------------------------------------------------------------------------
# Problem types and their members
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", problems.problem_types(), ids=lambda kind: kind.slug)
def test_every_problem_type_has_a_schema_with_its_type_status_and_members(document, kind):
    schema = document["components"]["schemas"][problem_schema_name(kind)]
    assert schema["allOf"] == [{"$ref": "#/components/schemas/Problem"}]
    assert schema["properties"]["type"] == {"const": f"urn:eevidence-broker:problem:{kind.slug}"}
    if kind is not problems.HttpError:
        assert schema["properties"]["status"] == {"const": kind.status}
    assert set(schema["properties"]) - {"type", "status"} == set(kind.members)
    assert set(schema.get("required", [])) == kind.required_members
    assert schema["unevaluatedProperties"] is False


def test_the_shared_problem_schema_leaves_room_for_each_types_members(document):
    shared = document["components"]["schemas"]["Problem"]
    assert set(shared["properties"]) == problems.STANDARD_MEMBERS
    assert set(shared["required"]) == {"type", "title", "status", "detail"}
    # additionalProperties would count every member as evaluated and void unevaluatedProperties.
    assert "additionalProperties" not in shared


def test_problem_types_have_distinct_slugs_and_internal_error_comes_first():
    slugs = [kind.slug for kind in problems.problem_types()]
    assert len(slugs) == len(set(slugs)) > 40
    assert slugs[0] == "internal-error"


def test_a_problem_refuses_a_member_its_type_does_not_declare():
    with pytest.raises(TypeError, match=r"NotFound declares no member\(s\) \['state'\]"):
        problems.NotFound("no such order", state="draft")
    with pytest.raises(TypeError, match=r"TransferHeld needs the member\(s\) \['held_until'\]"):
        problems.TransferHeld("wait")
    assert problems.TransferHeld("wait", held_until="2026-12-04T12:35:06Z").to_dict()["held_until"]


def test_a_problem_type_cannot_redefine_a_standard_member():
    with pytest.raises(TypeError, match="redefines the standard member"):
        type("Bad", (problems.Problem,), {"members": {"status": {"type": "string"}}})


def problem_calls() -> list[tuple[str, int, type[problems.Problem], list[str | None]]]:
    """Every construction of a problem type in broker/: file, line, type, keyword arguments."""
    kinds = {kind.__name__: kind for kind in problems.problem_types()}
    calls = []
    for path in sorted((ROOT / "broker").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in kinds:
                where = str(path.relative_to(ROOT))
                calls.append((where, node.lineno, kinds[name], [keyword.arg for keyword in node.keywords]))
    return calls


def test_every_problem_raised_in_the_code_carries_only_its_declared_members():
    """Statically, so that a path no test reaches cannot carry an undocumented member either."""
    calls = problem_calls()
    assert len(calls) > 100
    wrong = []
    for where, line, kind, keywords in calls:
        parameters = set(inspect.signature(kind.__init__).parameters) - {"self", "detail", "extensions"}
        members = {keyword for keyword in keywords if keyword not in parameters}
        if None in members or not members <= kind.members.keys() or not kind.required_members <= members:
            wrong.append(f"{where}:{line}: {kind.__name__}({', '.join(map(str, keywords))})")
    assert wrong == []


def test_problems_md_lists_every_member_of_every_problem_type():
    text = PROBLEMS_MD.read_text()
    rows = set(re.findall(r"^\| `([a-z-]+)` \| `([a-z_0-9]+)` \| (yes|no) \|", text, re.MULTILINE))
    expected = {
        (kind.slug, member, "yes" if member in kind.required_members else "no")
        for kind in problems.problem_types()
        for member in kind.members
    }
    assert rows == expected


# ---------------------------------------------------------------------------------------------------------
# Statuses and headers
# ---------------------------------------------------------------------------------------------------------


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in live_openapi.OPERATION_METHODS
    ]


def test_every_operation_can_fail_with_an_internal_error(document):
    for path, method, operation in operations(document):
        assert operation["responses"]["500"]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/InternalErrorProblem"
        }, (method, path)


def test_a_path_value_its_converter_refuses_is_a_documented_404(document):
    for path, method, operation in operations(document):
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_every_error_response_references_problem_types_of_its_own_status(document):
    schemas = document["components"]["schemas"]
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/problem+json")
            if media is None:
                assert status.startswith("2"), (method, path, status)
                continue
            for option in media["schema"].get("oneOf", [media["schema"]]):
                name = option["$ref"].removeprefix("#/components/schemas/")
                assert schemas[name]["properties"]["status"] == {"const": int(status)}, (method, path, name)


@pytest.mark.parametrize(
    ("status", "header"),
    [(401, "WWW-Authenticate"), (416, "Content-Range"), (429, "Retry-After")],
)
def test_problem_responses_document_the_headers_sent_with_them(document, status, header):
    found = 0
    for _, _, operation in operations(document):
        response = operation["responses"].get(str(status))
        if response is not None:
            assert response["headers"][header] == {"$ref": f"#/components/headers/{header}"}
            found += 1
    assert found
    assert document["components"]["headers"][header]["required"] is True
    allow = document["components"]["responses"]["MethodNotAllowed"]["headers"]["Allow"]
    assert allow == {"$ref": "#/components/headers/Allow"}


def test_idempotent_operations_document_the_replay_header(document):
    for path, method, operation in operations(document):
        success = next(response for status, response in operation["responses"].items() if status[0] == "2")
        idempotent = any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        assert ("Idempotent-Replayed" in success.get("headers", {})) == idempotent, (method, path)


def test_the_download_documents_its_headers_whole_and_partial(document):
    responses = document["paths"]["/api/v1/orders/{order_id}/evidence/{package_id}/content"]["get"][
        "responses"
    ]
    common = {"ETag", "Repr-Digest", "Accept-Ranges", "Content-Disposition"}
    assert common <= set(responses["200"]["headers"])
    assert "Content-Range" not in responses["200"]["headers"]
    assert common | {"Content-Range"} <= set(responses["206"]["headers"])


# ---------------------------------------------------------------------------------------------------------
# Signed bodies
# ---------------------------------------------------------------------------------------------------------

# Each order leaves by its issue step: the certificates, the removal order and the UK's overseas production order.
ORDERS = ["epoc", "epoc-pr", "removal-order", "overseas-production-order"]
LIFECYCLE = sorted(
    kind.value for kind in MessageType if kind.value not in ORDERS and kind.value != "threat-notification"
)


@pytest.mark.parametrize(
    ("path", "accepted"),
    [
        pytest.param("/api/v1/orders/{order_id}/issue", ORDERS, id="issue"),
        pytest.param("/api/v1/orders/{order_id}/responses", ["response"], id="responses"),
        pytest.param("/api/v1/orders/{order_id}/messages", LIFECYCLE, id="messages"),
        # Regulation (EU) 2022/2065, Art. 18: a notification that belongs to no order.
        pytest.param("/api/v1/threat-notifications", ["threat-notification"], id="threat notification"),
    ],
)
def test_a_signed_body_names_the_message_types_it_carries_and_their_schema_files(document, path, accepted):
    media = document["paths"][path]["post"]["requestBody"]["content"]["application/jose"]
    assert re.fullmatch(media["schema"]["pattern"], "eyJh.eyJ0.c2ln")
    assert sorted({kind["type"] for kind in media["x-message-types"]}) == sorted(accepted)
    # Every registered version of each type, once: a certificate addressed under Art. 7(2) is version 2.
    pairs = [(kind["type"], kind["version"]) for kind in media["x-message-types"]]
    assert sorted(pairs) == sorted(
        (t.value, v)
        for t, v in (*BODY_SCHEMAS, *REMOVAL_BODY_SCHEMAS, *NOTIFICATION_BODY_SCHEMAS)
        if t in accepted
    )
    for described in [media["x-envelope"], *media["x-message-types"]]:
        schema_file = json.loads((ROOT / described["file"]).read_text())
        assert schema_file["$id"] == described["schema"]


def test_issuing_where_no_enforcing_authority_is_registered_is_a_documented_invalid_reference(
    client, network, drafts, document
):
    """Found by reading, not by the suite: Art. 8 notification to a State with no enforcing authority."""
    # A provider whose establishment is in Malta (English is official there), where nobody enforces.
    provider = network.add(
        "maltese", "Maltese Mail", OrganisationKind.PROVIDER, "US", Role.LEGAL_OFFICER, addressee_country="MT"
    )
    judge = network["judge"]
    certificate = drafts.epoc(
        network.addressees["maltese"],
        data_categories=["traffic"],
        offence_committed_in_issuing_state=True,
        person_resides_in_issuing_state=False,
    )
    draft = client.post(
        "/api/v1/orders", json={"order_type": "epoc", "certificate": certificate}, headers=judge.headers
    )
    assert draft.status_code == 201, draft.get_json()
    order = draft.get_json()
    answer = client.post(
        f"/api/v1/orders/{order['id']}/issue",
        data=judge.sign("epoc", order["certificate"], provider.organisation_id),
        content_type="application/jose",
        headers=judge.headers,
    )
    refusal = answer.get_json()
    assert answer.status_code == 422, refusal
    assert refusal["type"] == problems.PROBLEM_BASE + "invalid-reference", refusal
    assert "no enforcing authority is registered for MT" in refusal["detail"]
    issue = document["paths"]["/api/v1/orders/{order_id}/issue"]["post"]["responses"]["422"]
    listed = issue["content"]["application/problem+json"]["schema"]["discriminator"]["mapping"]
    assert problems.PROBLEM_BASE + "invalid-reference" in listed


def schemas_in(node: Any) -> list[dict[str, Any]]:
    """Every schema object of an OpenAPI document: components, parameters, bodies, responses, headers."""
    found = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "schema" and isinstance(value, dict):
                found.append(value)
            elif name == "schemas" and isinstance(value, dict):
                found += list(value.values())
            else:
                found += schemas_in(value)
    elif isinstance(node, list):
        for value in node:
            found += schemas_in(value)
    return found


def test_every_schema_of_the_document_is_json_schema_2020_12(document):
    found = schemas_in(document)
    assert len(found) > 300
    for schema in found:
        Draft202012Validator.check_schema(schema)
