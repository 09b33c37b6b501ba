"""The legal-basis engine as caseworkers, providers and oversight bodies meet it through the API."""

import json

from broker.problems import PROBLEM_BASE

CONTENT_WITHOUT_VALIDATION = {
    "data_categories": ["content"],
    "offence_committed_in_issuing_state": True,
    "person_resides_in_issuing_state": False,
}


def check(client, party, certificate, order_type="epoc"):
    return client.post(
        "/api/v1/orders/check",
        json={"order_type": order_type, "certificate": certificate},
        headers=party.headers,
    )


def test_a_lawful_draft_checks_clean_and_nothing_is_created(client, network, drafts, rows):
    answer = check(client, network["prosecutor"], drafts.epoc(network.addressees["provider"]))
    assert answer.status_code == 200
    report = answer.get_json()
    assert report["blocking"] is False
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert report["derived"]["deadline"] == "10_days"
    assert rows("orders") == 0


def test_prosecutor_checking_a_content_epoc_learns_which_article_blocks_it(client, network, drafts):
    certificate = drafts.epoc(network.addressees["provider"], **CONTENT_WITHOUT_VALIDATION)
    report = check(client, network["prosecutor"], certificate).get_json()
    assert report["blocking"] is True
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "EE-06"]
    assert finding["citation"] == "Regulation (EU) 2023/1543, Art. 4(2)"
    assert finding["severity"] == "error"
    assert finding["fields"] == ["validating_authority"]
    assert "add a validating authority" in finding["message"]


def test_the_same_order_validated_by_an_investigating_judge_passes(client, network, drafts):
    certificate = drafts.epoc(
        network.addressees["provider"],
        validating_authority={"organisation": network["judge"].organisation_id},
        **CONTENT_WITHOUT_VALIDATION,
    )
    report = check(client, network["prosecutor"], certificate).get_json()
    assert "EE-06" not in {f["rule_id"] for f in report["findings"]}
    assert report["derived"]["notification_required"] is True
    assert report["derived"]["notify_state"] == "IE"


def test_missing_facts_are_named_rather_than_guessed(client, network, drafts):
    certificate = drafts.epoc(network.addressees["provider"], data_categories=["traffic"])
    report = check(client, network["prosecutor"], certificate).get_json()
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "EE-12"]
    assert finding["missing_data"] is True
    assert set(finding["fields"]) == {"offence_committed_in_issuing_state", "person_resides_in_issuing_state"}


def test_a_blocked_draft_is_kept_with_its_findings_but_cannot_be_issued(
    client, network, drafts, exchange, rows
):
    order = exchange.draft(**CONTENT_WITHOUT_VALIDATION)
    assert order["checks"]["blocking"] is True
    prosecutor = network["prosecutor"]
    jws = prosecutor.sign("epoc", order["certificate"], order["provider"]["id"])
    refused = client.post(
        f"/api/v1/orders/{order['id']}/issue",
        data=jws,
        content_type="application/jose",
        headers=prosecutor.headers,
    )
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["type"] == PROBLEM_BASE + "legal-check-failed"
    assert "EE-06 (Regulation (EU) 2023/1543, Art. 4(2))" in problem["detail"]
    assert {f["rule_id"] for f in problem["findings"] if f["severity"] == "error"} == {"EE-06"}
    assert rows("messages") == 0
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=prosecutor.headers).get_json()["state"] == "draft"
    )


def test_provider_and_oversight_see_the_checks_of_an_issued_order(client, network, exchange):
    issued = exchange.issue(exchange.draft())
    for reader in ("provider", "oversight"):
        seen = client.get(f"/api/v1/orders/{issued['id']}", headers=network[reader].headers).get_json()
        assert seen["checks"]["blocking"] is False
        assert seen["checks"]["checked_at"] == "2026-11-24T09:00:00Z"
        assert seen["instrument"] == "reg-2023-1543"


def test_rechecking_a_draft_keeps_the_new_result_and_logs_which_rules_fired(client, network, exchange, clock):
    order = exchange.draft(**CONTENT_WITHOUT_VALIDATION)
    clock.advance(days=1)
    answer = client.post(f"/api/v1/orders/{order['id']}/check", headers=network["prosecutor"].headers)
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["checked_at"] == "2026-11-25T09:00:00Z"
    oversight = network["oversight"].headers
    entries = client.get("/api/v1/audit/entries?limit=1000", headers=oversight).get_json()["entries"]
    checked = [json.loads(e["leaf"]) for e in entries if json.loads(e["leaf"])["action"] == "order.checked"]
    assert checked[0]["details"]["blocking"] is True
    assert "EE-06" in checked[0]["details"]["rules"]
    assert "content" not in json.dumps(checked), "the log names rules, never what the order asks for"


def test_an_unknown_instrument_is_a_validation_error_naming_the_field(client, network, drafts):
    certificate = drafts.epoc(network.addressees["provider"], instrument="treaty-of-nowhere")
    answer = check(client, network["prosecutor"], certificate)
    assert answer.status_code == 422
    assert "instrument" in answer.get_json()["errors"]["certificate"]


def test_an_instrument_that_does_not_fit_the_two_countries_is_refused(client, network, drafts):
    certificate = drafts.epoc(network.addressees["provider"], instrument="cets-224-art7")
    report = check(client, network["prosecutor"], certificate).get_json()
    assert report["blocking"] is True
    errors = {
        (f["rule_id"], field) for f in report["findings"] if f["severity"] == "error" for field in f["fields"]
    }
    assert ("P2-10", "issuing_authority.country") in errors, "France is not a Party to the Second Protocol"
