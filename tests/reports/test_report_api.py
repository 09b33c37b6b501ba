"""The report endpoints: who may read which report, what bad input is told, and the log of reads."""

import json
import uuid

import pytest

from broker.problems import PROBLEM_BASE


def get(client, network, who, path):
    return client.get(f"/api/v1/reports/{path}", headers=network[who].headers)


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        # allowed: oversight any State or all; an issuing authority its own State (FR)
        pytest.param("oversight", "art28?year=2026&country=DE", 200, id="oversight, another State"),
        pytest.param("prosecutor", "art28?year=2026&country=FR", 200, id="authority, own State"),
        # denied: another State's statistics, and parties that are not issuing States' authorities
        pytest.param("prosecutor", "art28?year=2026&country=DE", 403, id="authority, another State"),
        pytest.param("provider", "art28?year=2026&country=FR", 403, id="provider"),
        pytest.param("enforcing", "art28?year=2026", 403, id="enforcing authority"),
        # allowed: a provider its own report, named or not
        pytest.param("provider", "transparency?year=2026", 200, id="provider, own implied"),
        # denied: another provider's, and parties that are not providers or oversight
        pytest.param("provider", "transparency?year=2026&provider={other}", 403, id="provider, another's"),
        pytest.param("prosecutor", "transparency?year=2026&provider={own}", 403, id="authority"),
        pytest.param("enforcing", "transparency?year=2026&provider={own}", 403, id="enforcing"),
    ],
)
def test_who_reads_which_report(client, network, who, path, status):
    ids = {"own": network["provider"].organisation_id, "other": network["other_provider"].organisation_id}
    answer = get(client, network, who, path.format(**ids))
    assert answer.status_code == status, answer.get_json()
    if status == 403:
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.get_json()["type"] == PROBLEM_BASE + "forbidden"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        pytest.param("art28", "year", id="no period"),
        pytest.param("art28?country=FR", "year", id="a country but no period"),
        pytest.param("art28?year=2026&start=2026-01-01&end=2026-02-01", "year", id="year and days"),
        pytest.param("art28?start=2026-02-01&end=2026-02-01", "end", id="end not after start"),
        pytest.param("art28?start=2026-03-01&end=2026-02-01", "end", id="end before start"),
        pytest.param("art28?start=2026-02-01", "end", id="start alone"),
        pytest.param("art28?end=2026-02-01", "start", id="end alone"),
        pytest.param("art28?year=1999", "year", id="year before 2000"),
        pytest.param("art28?year=2101", "year", id="year after 2100"),
        pytest.param("art28?year=twenty", "year", id="year not a number"),
        pytest.param("art28?start=2026-13-01&end=2027-01-01", "start", id="start not a day"),
        pytest.param("art28?year=2026&country=XX", "country", id="country not a code"),
        pytest.param("art28?year=2026&country=fr", "country", id="country not in capitals"),
        pytest.param("transparency", "year", id="transparency without a period"),
        pytest.param("transparency?year=2026", "provider", id="oversight must name the provider"),
        pytest.param("transparency?year=2026&provider=example", "provider", id="provider not an id"),
    ],
)
def test_bad_input_is_a_validation_problem_naming_the_field(client, network, path, field):
    answer = get(client, network, "oversight", path)
    assert answer.status_code == 422, answer.get_json()
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.get_json()
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    assert set(problem["errors"]) == {field}


@pytest.mark.parametrize("who", ["prosecutor", None], ids=["not a provider", "unknown"])
def test_an_oversight_body_naming_no_provider_is_told_so(client, network, who):
    wanted = network[who].organisation_id if who else str(uuid.uuid4())
    answer = get(client, network, "oversight", f"transparency?year=2026&provider={wanted}")
    assert answer.status_code == 422
    assert answer.get_json()["type"] == PROBLEM_BASE + "invalid-reference"


def log(client, network):
    entries = client.get("/api/v1/audit/entries?limit=1000", headers=network["oversight"].headers).get_json()
    return [json.loads(e["leaf"]) for e in entries["entries"]]


def test_each_read_is_logged_with_its_period_and_scope_but_no_figures(client, network, steps, year):
    before = len(log(client, network))
    steps.report("art28?start=2026-11-01&end=2026-12-01", who="prosecutor")
    steps.report("transparency?year=2026", who="provider")
    get(client, network, "prosecutor", "art28?year=2026&country=DE")  # refused: not logged
    reads = [e for e in log(client, network)[before:] if e["action"] == "report.read"]
    assert [(e["object"], e["details"]) for e in reads] == [
        (
            {"type": "report", "id": "art28"},
            {"period": {"start": "2026-11-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"}, "country": "FR"},
        ),
        (
            {"type": "report", "id": "transparency"},
            {
                "period": {"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
                "provider": network["provider"].organisation_id,
            },
        ),
    ]
    assert reads[0]["actor"]["organisation"] == network["prosecutor"].organisation_id
    assert "figures" not in json.dumps(reads)


def test_the_openapi_document_describes_both_reports(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    art28 = paths["/api/v1/reports/art28"]["get"]
    assert {p["name"] for p in art28["parameters"] if p["in"] == "query"} == {
        "year",
        "start",
        "end",
        "country",
    }
    transparency = paths["/api/v1/reports/transparency"]["get"]
    assert {p["name"] for p in transparency["parameters"] if p["in"] == "query"} == {
        "year",
        "start",
        "end",
        "provider",
    }
    for operation in (art28, transparency):
        assert PROBLEM_BASE + "forbidden" in operation["responses"]["403"]["description"]
        assert PROBLEM_BASE + "validation-error" in operation["responses"]["422"]["description"]
        assert operation["tags"] == ["reports"]
