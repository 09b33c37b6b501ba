"""The OpenAPI document describes every route the app serves, as it serves it."""

import re
from typing import Any

import pytest

from broker import problems

OPENAPI = "/api/v1/openapi.json"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get(OPENAPI)
    assert response.status_code == 200
    return response.get_json()


def api_routes(app) -> dict[str, set[str]]:
    """{OpenAPI path: {methods}} for every rule the app serves under /api/v1."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routes.setdefault(path, set()).update(
            m.lower() for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}
        )
    return routes


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def resolve(document: dict[str, Any], ref: str) -> Any:
    """Follow a local JSON Pointer reference (RFC 6901), or fail."""
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert token in node, f"{ref} does not resolve"
        node = node[token]
    return node


def refs(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "$ref" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(refs(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(refs(value))
    return found


def test_the_document_is_public(client):
    response = client.get(OPENAPI)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "WWW-Authenticate" not in response.headers


def test_it_is_an_openapi_3_1_document(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert set(document) <= {
        "openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components", "security", "tags",
        "externalDocs",
    }  # fmt: skip
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_every_route_is_described_with_each_of_its_methods(app, document):
    described = {path: {m for m in item if m in HTTP_METHODS} for path, item in document["paths"].items()}
    assert described == api_routes(app)


def test_every_operation_but_the_document_itself_needs_a_bearer_token(document):
    for path, method, operation in operations(document):
        if path == OPENAPI:
            assert not operation.get("security"), "the OpenAPI document is public"
            assert "401" not in operation["responses"]
            continue
        assert operation["security"] == [{"bearer": []}], (method, path)
        unauthorised = operation["responses"]["401"]
        assert documented_problems(document, operation)["401"] == {
            kind.slug for kind in problems.problem_types() if kind.status == 401
        }
        assert unauthorised["headers"]["WWW-Authenticate"] == {
            "$ref": "#/components/headers/WWW-Authenticate"
        }


def test_every_operation_is_identified_and_answers_successfully(document):
    seen = set()
    for path, method, operation in operations(document):
        assert operation["operationId"] not in seen
        seen.add(operation["operationId"])
        assert operation["summary"]
        assert any(status.startswith("2") for status in operation["responses"]), (method, path)
        for response in operation["responses"].values():
            assert response["description"]


def test_every_path_parameter_is_declared(document):
    for path, method, operation in operations(document):
        in_path = set(re.findall(r"{([a-z_]+)}", path))
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == in_path, (method, path)
        assert all(p["required"] for p in operation["parameters"] if p["in"] == "path")


def test_every_reference_resolves_inside_the_document(document):
    found = refs(document)
    assert found
    for ref in found:
        resolve(document, ref)


def test_drafting_takes_a_draft_order_whose_certificate_is_one_of_the_draft_certificates(document):
    body = document["paths"]["/api/v1/orders"]["post"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"application/json"}
    schema = resolve(document, body["content"]["application/json"]["schema"]["$ref"])
    assert schema is document["components"]["schemas"]["DraftOrder"]
    certificate = schema["properties"]["certificate"]
    assert {option["$ref"] for option in certificate["oneOf"]} == {
        "#/components/schemas/EpocDraft",
        "#/components/schemas/EpocPrDraft",
        "#/components/schemas/RemovalOrderDraft",
        "#/components/schemas/OverseasProductionOrderDraft",
    }
    assert "subsequent_request" in resolve(document, "#/components/schemas/EpocPrDraft")["required"]
    # Version 3 of the certificates: required under the Regulation, not under the Council of Europe treaties.
    epoc = resolve(document, "#/components/schemas/EpocDraft")
    assert "user_information" not in epoc["required"]
    assert "reg-2023-1543" in epoc["properties"]["user_information"]["description"]
    assert (
        "respondent" not in resolve(document, "#/components/schemas/OverseasProductionOrderDraft")["required"]
    )


def test_the_draft_order_names_its_order_types(document):
    draft_order = document["components"]["schemas"]["DraftOrder"]
    assert draft_order["properties"]["order_type"]["enum"] == [
        "epoc",
        "epoc-pr",
        "removal-order",
        "overseas-production-order",
    ]
    assert set(draft_order["required"]) == {"order_type", "certificate"}
    assert draft_order["additionalProperties"] is False


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/v1/orders/{order_id}/issue", id="issue"),
        pytest.param("/api/v1/orders/{order_id}/responses", id="responses"),
    ],
)
def test_signed_endpoints_take_application_jose(document, path):
    operation = document["paths"][path]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/jose"}
    assert operation["requestBody"]["content"]["application/jose"]["schema"]["type"] == "string"
    assert "invalid-signature" in documented_problems(document, operation)["422"]


def test_only_the_signed_endpoints_take_application_jose(document):
    signed = {
        path
        for path, _, operation in operations(document)
        if "application/jose" in operation.get("requestBody", {}).get("content", {})
    }
    assert signed == {
        "/api/v1/orders/{order_id}/issue",
        "/api/v1/orders/{order_id}/responses",
        "/api/v1/orders/{order_id}/messages",
        "/api/v1/threat-notifications",  # Regulation (EU) 2022/2065, Art. 18: a signed notification
    }


# POSTs that take no Idempotency-Key, each for a reason: a signed HI-1 answer is refused as a replay by
# its own JWS id, and the HI-1 reads change nothing (docs/etsi.md, "Retries").
NOT_KEYED = {"/api/v1/etsi/hi1"}


def test_idempotent_writes_declare_the_idempotency_key_header(document):
    for path, method, operation in operations(document):
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        if method == "post" and path not in NOT_KEYED:
            assert headers["Idempotency-Key"]["schema"]["maxLength"] == 200, path
        else:
            assert "Idempotency-Key" not in headers, path


def test_list_endpoints_describe_their_query_parameters(document):
    parameters = document["paths"]["/api/v1/organisations"]["get"]["parameters"]
    by_name = {p["name"]: p for p in parameters if p["in"] == "query"}
    assert set(by_name) == {"page", "per_page", "kind", "country"}
    assert "PAGE_SIZE_MAX" in by_name["per_page"]["description"]
    assert by_name["page"]["schema"]["minimum"] == 1


def documented_problems(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, set[str]]:
    """{status: {problem slugs}} as the operation's error responses reference their problem types."""
    listed: dict[str, set[str]] = {}
    for status, response in operation["responses"].items():
        media = response.get("content", {}).get("application/problem+json")
        if media is None:
            continue
        options = media["schema"].get("oneOf", [media["schema"]])
        kinds = [resolve(document, option["$ref"])["properties"]["type"]["const"] for option in options]
        assert len(kinds) == len(set(kinds)), (status, kinds)
        listed[status] = {kind.removeprefix("urn:eevidence-broker:problem:") for kind in kinds}
    return listed


def test_every_operation_lists_the_problems_its_input_can_cause(document):
    """What endpoint.py refuses before any view runs is documented on every operation it applies to."""
    for path, method, operation in operations(document):
        listed = documented_problems(document, operation)
        content = operation.get("requestBody", {}).get("content", {})
        expected: dict[str, set[str]] = {}
        if "application/json" in content:
            expected = {
                "400": {"malformed-json"},
                "415": {"unsupported-media-type"},
                "422": {"validation-error"},
            }
        if "application/jose" in content:
            expected = {"400": {"malformed-message"}, "415": {"unsupported-media-type"}}
        if any(p["in"] == "query" for p in operation["parameters"]):
            expected.setdefault("422", set()).add("validation-error")
        if any(p["name"] == "Idempotency-Key" for p in operation["parameters"]):
            expected.setdefault("422", set()).update({"validation-error", "idempotency-key-reused"})
        for status, slugs in expected.items():
            assert slugs <= listed.get(status, set()), (method, path, status)


def test_evidence_bytes_are_described_as_binary_with_the_problems_of_moving_them(document):
    chunk = document["paths"]["/api/v1/orders/{order_id}/evidence/{package_id}/chunks/{index}"]["put"]
    assert chunk["requestBody"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    index = next(p for p in chunk["parameters"] if p["name"] == "index")
    assert index["schema"] == {"type": "integer", "minimum": 0}
    assert "Content-Digest" in chunk["summary"]
    listed = documented_problems(document, chunk)
    for status, slugs in {
        "400": {"incomplete-chunk"},
        "411": {"length-required"},
        "413": {"package-too-large"},
        "422": {"validation-error", "chunk-digest-mismatch"},
    }.items():
        assert slugs <= listed[status], status

    download = document["paths"]["/api/v1/orders/{order_id}/evidence/{package_id}/content"]["get"]
    assert "requestBody" not in download
    for status in ("200", "206"):
        assert download["responses"][status]["content"] == {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
        }
    listed = documented_problems(document, download)
    for status, slugs in {
        "409": {"transfer-held", "evidence-unavailable"},
        "410": {"evidence-gone"},
        "416": {"invalid-byte-range"},
    }.items():
        assert slugs <= listed[status], status
