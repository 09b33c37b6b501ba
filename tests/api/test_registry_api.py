"""The read-only registry API: who is who, where providers receive orders, and everyone's public keys."""

import uuid

import pytest

from broker import crypto
from broker.parties import operations
from broker.problems import PROBLEM_BASE

ALL_NAMES = [
    "District Court of Ireland",
    "Example Mail",
    "Juge d'instruction de Paris",
    "Other Cloud",
    "Oversight Body",
    "Parquet de Lyon",
    "Parquet de Paris",
]


def names(page):
    return [item["name"] for item in page["items"]]


def test_me_names_the_user_and_the_organisation_they_act_for(client, network):
    me = client.get("/api/v1/me", headers=network["prosecutor"].headers).get_json()
    assert me["user"]["email"] == "prosecutor@example.test"
    assert me["user"]["role"] == "caseworker"
    assert uuid.UUID(me["user"]["id"])
    assert me["organisation"]["id"] == network["prosecutor"].organisation_id
    assert me["organisation"]["name"] == "Parquet de Paris"
    assert me["organisation"]["kind"] == "issuing_authority"
    assert me["organisation"]["authority_type"] == "public_prosecutor"
    assert me["organisation"]["country"] == "FR"


def test_me_of_a_provider_lists_its_addressees(client, network):
    me = client.get("/api/v1/me", headers=network["provider"].headers).get_json()
    assert me["organisation"]["kind"] == "provider"
    assert me["organisation"]["authority_type"] is None
    assert [a["id"] for a in me["organisation"]["addressees"]] == [network.addressees["provider"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", ALL_NAMES, id="everyone, by name"),
        pytest.param("?kind=provider", ["Example Mail", "Other Cloud"], id="providers"),
        pytest.param(
            "?kind=issuing_authority",
            ["Juge d'instruction de Paris", "Parquet de Lyon", "Parquet de Paris"],
            id="issuing authorities",
        ),
        pytest.param(
            "?country=FR",
            ["Juge d'instruction de Paris", "Oversight Body", "Parquet de Lyon", "Parquet de Paris"],
            id="in France",
        ),
        pytest.param(
            "?kind=enforcing_authority&country=IE", ["District Court of Ireland"], id="kind and country"
        ),
        pytest.param("?kind=provider&country=FR", [], id="nothing matches"),
    ],
)
def test_organisations_filter_by_kind_and_country(client, network, query, expected):
    page = client.get(f"/api/v1/organisations{query}", headers=network["provider"].headers).get_json()
    assert names(page) == expected
    assert page["total"] == len(expected)


def test_organisations_come_in_pages(client, network):
    headers = network["oversight"].headers
    pages = [
        client.get(f"/api/v1/organisations?per_page=3&page={n}", headers=headers).get_json()
        for n in (1, 2, 3, 4)
    ]
    assert [names(p) for p in pages] == [ALL_NAMES[0:3], ALL_NAMES[3:6], ALL_NAMES[6:], []]
    assert {(p["total"], p["per_page"]) for p in pages} == {(7, 3)}
    assert [p["page"] for p in pages] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("per_page=101", "per_page", id="per_page over 100"),
        pytest.param("per_page=0", "per_page", id="per_page 0"),
        pytest.param("page=0", "page", id="page 0"),
        pytest.param("page=first", "page", id="page not a number"),
        pytest.param("kind=ministry", "kind", id="kind not in the list"),
        pytest.param("colour=blue", "colour", id="unknown parameter"),
    ],
)
def test_a_bad_query_is_refused_naming_the_parameter(client, network, query, field):
    response = client.get(f"/api/v1/organisations?{query}", headers=network["provider"].headers)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM_BASE + "validation-error"
    assert problem["detail"]
    assert field in problem["errors"]


def test_an_organisation_is_shown_with_its_addressees(client, network):
    provider = network["provider"]
    shown = client.get(f"/api/v1/organisations/{provider.organisation_id}", headers=network["judge"].headers)
    assert shown.status_code == 200
    organisation = shown.get_json()
    assert (organisation["name"], organisation["kind"], organisation["country"]) == (
        "Example Mail",
        "provider",
        "US",
    )
    assert [(a["id"], a["country"]) for a in organisation["addressees"]] == [
        (network.addressees["provider"], "IE")
    ]


def test_published_keys_are_the_registered_jwks_named_by_their_thumbprint(client, network):
    prosecutor = network["prosecutor"]
    response = client.get(
        f"/api/v1/organisations/{prosecutor.organisation_id}/keys", headers=network["provider"].headers
    )
    assert response.status_code == 200
    key_set = response.get_json()
    assert key_set["organisation"] == prosecutor.organisation_id
    [key] = key_set["keys"]
    assert key["kid"] == prosecutor.kid
    assert crypto.jwk_thumbprint(key["jwk"]) == key["kid"]
    assert key["jwk"] == crypto.public_jwk(prosecutor.private_key)
    assert "d" not in key["jwk"]
    assert key["alg"] == "EdDSA"
    assert key["valid_from"] == "2026-11-24T09:00:00+00:00"
    assert key["valid_until"] is None
    assert key["revoked_at"] is None
    assert key["revocation_reason"] is None


def test_a_revoked_key_is_published_with_when_and_why(client, network, database, clock):
    prosecutor = network["prosecutor"]
    clock.advance(hours=2)
    with database.transaction() as session:
        operations.revoke_key(session, clock, kid=prosecutor.kid, reason="HSM replaced after audit")
    keys = client.get(
        f"/api/v1/organisations/{prosecutor.organisation_id}/keys", headers=network["provider"].headers
    ).get_json()["keys"]
    [key] = keys
    assert key["kid"] == prosecutor.kid
    assert key["revoked_at"] == "2026-11-24T11:00:00+00:00"
    assert key["revocation_reason"] == "HSM replaced after audit"


def test_addressees_in_a_country_list_where_and_how_to_reach_the_provider(client, network):
    response = client.get("/api/v1/addressees?country=IE", headers=network["prosecutor"].headers)
    assert response.status_code == 200
    page = response.get_json()
    assert page["total"] == 1
    [addressee] = page["items"]
    assert addressee == {
        "id": network.addressees["provider"],
        "provider_id": network["provider"].organisation_id,
        "addressee_type": "designated_establishment",
        "removal_role": None,  # it receives no removal orders (Regulation (EU) 2021/784)
        "name": "Example Mail IE",
        "country": "IE",
        "address": "1 Example Street",
        "email": "orders@provider.test",
        "phone": None,
        "languages": ["en"],
        "emergency_contact": "+353 1 000 0999",
    }


def test_addressees_filter_by_provider(client, network):
    other = network["other_provider"].organisation_id
    page = client.get(
        f"/api/v1/addressees?provider={other}", headers=network["prosecutor"].headers
    ).get_json()
    assert [(a["name"], a["country"]) for a in page["items"]] == [("Other Cloud DE", "DE")]
    everyone = client.get("/api/v1/addressees", headers=network["prosecutor"].headers).get_json()
    assert [a["country"] for a in everyone["items"]] == ["DE", "IE"]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/v1/organisations/{id}", id="organisation"),
        pytest.param("/api/v1/organisations/{id}/keys", id="its keys"),
    ],
)
def test_an_unknown_organisation_is_not_found(client, network, path):
    missing = str(uuid.uuid4())
    response = client.get(path.format(id=missing), headers=network["prosecutor"].headers)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM_BASE + "not-found"
    assert missing in problem["detail"]
