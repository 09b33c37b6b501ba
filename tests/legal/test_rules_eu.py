"""Regulation (EU) 2023/1543: for every rule, orders that pass it and orders that break it."""

from datetime import date

import pytest
from situations import Change
from situations import Row
from situations import accepting
from situations import authority
from situations import declare
from situations import designated_in
from situations import drop
from situations import emergency
from situations import fails
from situations import on
from situations import other_establishment
from situations import passes
from situations import put
from situations import situation

from broker.legal import CATALOGUE
from broker.legal import Family
from broker.legal import InvalidCheckInput
from broker.legal import Severity
from broker.legal import Stage

RULES = {rule.id: rule for rule in CATALOGUE}
POLICE = put("issuing_authority", authority("other_competent_authority"))
PROSECUTOR = put("issuing_authority", authority("public_prosecutor"))
UNVALIDATED = put("validating_authority", None)
NOT_IN_FRANCE = put("offence_committed_in_issuing_state", False)
TO_GERMANY = put("addressee.country", "DE")


def validated_by(kind: str, country: str = "FR") -> Change:
    return put("validating_authority", authority(kind, country))


def listed(directive: str, article: int, **flags: bool) -> Change:
    return put("offence.listed_offence", {"directive": directive, "article": article, **flags})


def sentence(months: int, in_absentia: bool = False, absconded: bool = True) -> Change:
    return lambda s: s.certificate.update(
        purpose="sentence_execution",
        sentence={"imposed_months": months, "rendered_in_absentia": in_absentia, "absconded": absconded},
    )


def as_type_named(order_type: str) -> Change:
    """Send the certificate under another order type, as is."""
    return lambda s: setattr(s, "order_type", order_type)


ROWS = [
    passes("EE-01", "EPOC issued on the day the Regulation starts to apply", "epoc", on(date(2026, 8, 18))),
    fails("EE-01", "EPOC issued the day before the Regulation applies", "epoc", on(date(2026, 8, 17))),
    passes("EE-02", "French prosecutor orders from an Irish establishment", "epoc"),
    fails("EE-02", "Danish prosecutor issues an EPOC", "epoc", put("issuing_authority.country", "DK")),
    fails("EE-02", "EPOC addressed to an establishment in Denmark", "epoc", put("addressee.country", "DK")),
    fails(
        "EE-02", "EPOC addressed to a legal representative in the US", "epoc", put("addressee.country", "US")
    ),
    fails(
        "EE-02", "French prosecutor addresses a French establishment", "epoc", put("addressee.country", "FR")
    ),
    passes("EE-04", "EPOC for content data only", "content"),
    fails(
        "EE-04",
        "EPOC for subscriber and content data together",
        "content",
        put("data_categories", ["subscriber", "content"]),
    ),
    passes("EE-05", "prosecutor issues EPOC for subscriber data", "epoc"),
    passes(
        "EE-05",
        "police issue EPOC for subscriber data validated by a prosecutor",
        "epoc",
        POLICE,
        validated_by("public_prosecutor"),
    ),
    fails("EE-05", "police issue EPOC for subscriber data without validation", "epoc", POLICE, UNVALIDATED),
    fails(
        "EE-05",
        "police EPOC for subscriber data validated by another police authority",
        "epoc",
        POLICE,
        validated_by("other_competent_authority"),
    ),
    fails(
        "EE-05",
        "police EPOC for subscriber data validated by a Belgian prosecutor",
        "epoc",
        POLICE,
        validated_by("public_prosecutor", "BE"),
    ),
    passes("EE-06", "investigating judge issues EPOC for content data", "content"),
    passes(
        "EE-06",
        "prosecutor issues EPOC for content data validated by a judge",
        "content",
        PROSECUTOR,
        validated_by("judge"),
    ),
    fails("EE-06", "prosecutor issues EPOC for content data", "content", PROSECUTOR),
    fails(
        "EE-06",
        "police EPOC for traffic data validated by a prosecutor",
        "content",
        POLICE,
        put("data_categories", ["traffic"]),
        validated_by("public_prosecutor"),
    ),
    passes("EE-07", "prosecutor issues EPOC-PR", "epoc-pr"),
    passes(
        "EE-07",
        "police issue EPOC-PR validated by a prosecutor",
        "epoc-pr",
        POLICE,
        validated_by("public_prosecutor"),
    ),
    fails("EE-07", "police issue EPOC-PR without validation", "epoc-pr", POLICE),
    passes("EE-08", "police issue emergency EPOC-PR without validation", "epoc-pr", POLICE, emergency()),
    passes(
        "EE-08",
        "police issue emergency EPOC for subscriber data without validation",
        "epoc",
        POLICE,
        emergency(),
    ),
    fails(
        "EE-08",
        "police issue emergency EPOC for content data without validation",
        "content",
        POLICE,
        emergency(),
    ),
    fails(
        "EE-08",
        "prosecutor issues emergency EPOC for content data without validation",
        "content",
        PROSECUTOR,
        emergency(),
    ),
    passes(
        "EE-09",
        "EPOC for content data, offence punishable by 3 years",
        "content",
        put("offence.maximum_penalty_months", 36),
    ),
    passes(
        "EE-09",
        "EPOC for traffic data, attack on an information system punishable by 2 years",
        "content",
        put("offence.maximum_penalty_months", 24),
        listed("2013/40", 4, by_information_system=True),
    ),
    passes(
        "EE-09",
        "EPOC for content data, terrorist offence punishable by 2 years",
        "content",
        put("offence.maximum_penalty_months", 24),
        listed("2017/541", 5),
    ),
    fails(
        "EE-09",
        "EPOC for content data, offence punishable by 2 years",
        "content",
        put("offence.maximum_penalty_months", 24),
    ),
    fails(
        "EE-09",
        "EPOC for content data, offence with no maximum sentence",
        "content",
        put("offence.maximum_penalty_months", None),
    ),
    fails(
        "EE-09",
        "EPOC for content data, offence under a directive Art. 5(4) does not list",
        "content",
        put("offence.maximum_penalty_months", 24),
        listed("2014/41", 4),
    ),
    fails(
        "EE-09",
        "EPOC for content data, unlisted article of the cyber-attack directive",
        "content",
        put("offence.maximum_penalty_months", 24),
        listed("2013/40", 9, by_information_system=True),
    ),
    fails(
        "EE-09",
        "EPOC for content data, child abuse offence not committed online",
        "content",
        put("offence.maximum_penalty_months", 24),
        listed("2011/93", 5, by_information_system=False),
    ),
    fails(
        "EE-09",
        "EPOC for content data, payment fraud without saying whether online",
        "content",
        put("offence.maximum_penalty_months", 24),
        listed("2019/713", 4),
    ),
    passes("EE-10", "EPOC to execute a 30-month sentence of an absconded convict", "epoc", sentence(30)),
    fails("EE-10", "EPOC to execute a 3-month sentence", "epoc", sentence(3)),
    fails("EE-10", "EPOC to execute a sentence rendered in absentia", "epoc", sentence(30, in_absentia=True)),
    fails(
        "EE-10",
        "EPOC to execute a sentence of a convict who did not abscond",
        "epoc",
        sentence(30, absconded=False),
    ),
    passes("EE-11", "EPOC stating necessity and a similar domestic order", "epoc"),
    fails(
        "EE-11",
        "EPOC where no similar domestic order is possible",
        "epoc",
        put("similar_domestic_order_possible", False),
    ),
    fails(
        "EE-11", "EPOC whose necessity statement is blank", "epoc", put("necessity_and_proportionality", "  ")
    ),
    passes("EE-12", "EPOC for content data, offence and person in the issuing State", "content"),
    passes(
        "EE-12",
        "EPOC for content data notifying the enforcing State",
        "content",
        NOT_IN_FRANCE,
        drop("person_resides_in_issuing_state"),
    ),
    fails(
        "EE-12",
        "EPOC for content data without the Art. 8(2) facts",
        "content",
        drop("offence_committed_in_issuing_state", "person_resides_in_issuing_state"),
    ),
    passes("EE-15", "emergency EPOC describing the threat", "epoc", emergency()),
    fails("EE-15", "emergency EPOC whose justification is blank", "epoc", emergency(" ")),
    passes(
        "EE-24", "EPOC telling the person concerned", "epoc", put("user_information", {"decision": "inform"})
    ),
    fails(
        "EE-24",
        "EPOC delaying the information with a blank justification",
        "epoc",
        put("user_information.justification", " "),
    ),
    passes("EE-26", "EPOC in English to an addressee accepting English", "epoc"),
    passes(
        "EE-26",
        "notified EPOC for content data in German to Germany",
        "content",
        NOT_IN_FRANCE,
        TO_GERMANY,
        put("language", "de"),
        accepting("de", "en"),
    ),
    fails("EE-26", "EPOC in French to an addressee accepting only English", "epoc", put("language", "fr")),
    fails("EE-26", "EPOC to an addressee with no recorded language", "epoc", accepting()),
    fails(
        "EE-26", "notified EPOC for content data in English to Germany", "content", NOT_IN_FRANCE, TO_GERMANY
    ),
    passes(
        "EE-27",
        "Art. 7(2): emergency EPOC to another establishment when the designated one did not react",
        "epoc",
        emergency(),
        other_establishment(ground="designated_did_not_react"),
        designated_in("IE"),
    ),
    passes(
        "EE-27",
        "Art. 7(2): emergency EPOC-PR to another establishment of a provider that designated none",
        "epoc-pr",
        emergency(),
        other_establishment(ground="none_designated"),
        designated_in(),
    ),
    passes(
        "EE-27",
        "Art. 7(2): the ground is taken as stated when the registry is not consulted",
        "epoc",
        emergency(),
        other_establishment(ground="none_designated"),
    ),
    passes("EE-27", "Art. 7(1): EPOC to the designated establishment", "epoc", designated_in("IE")),
    fails(
        "EE-27",
        "Art. 7(2): EPOC to another establishment outside an emergency",
        "epoc",
        other_establishment(ground="designated_did_not_react"),
        designated_in("IE"),
    ),
    fails(
        "EE-27",
        "Art. 7(2): emergency EPOC to another establishment without naming the ground",
        "epoc",
        emergency(),
        other_establishment(),
    ),
    fails(
        "EE-27",
        "Art. 7(2): 'none designated' although the provider designated an establishment in Ireland",
        "epoc",
        emergency(),
        other_establishment(ground="none_designated"),
        designated_in("IE"),
    ),
    fails(
        "EE-27",
        "Art. 7(2): 'did not react' although the provider designated no one",
        "epoc-pr",
        emergency(),
        other_establishment(ground="designated_did_not_react"),
        designated_in(),
    ),
    fails(
        "EE-27",
        "Art. 7(1): EPOC to the designated establishment invoking the Art. 7(2) exception",
        "epoc",
        emergency(),
        put("addressing_exception", {"ground": "designated_did_not_react"}),
    ),
    passes(
        "EE-31", "EPOC ticking the Annex IV category fraud", "epoc", put("offence.annex_iv_category", "fraud")
    ),
    fails("EE-31", "EPOC ticking 'Fraud' as free text", "epoc", put("offence.annex_iv_category", "Fraud")),
    passes(
        "EE-35", "EPOC-PR to execute a 30-month sentence of an absconded convict", "epoc-pr", sentence(30)
    ),
    fails(
        "EE-35",
        "EPOC-PR to execute a sentence rendered in absentia",
        "epoc-pr",
        sentence(30, in_absentia=True),
    ),
    passes("EE-36", "EPOC stating its case, offence and identifiers", "epoc"),
    fails("EE-36", "EPOC whose case summary is only spaces", "epoc", put("case_summary", "   ")),
    fails(
        "EE-36",
        "EPOC-PR whose necessity statement is only spaces",
        "epoc-pr",
        put("necessity_and_proportionality", " "),
    ),
    fails("EE-36", "EPOC naming a blank account", "epoc", put("targets.0.value", "  ")),
    passes(
        "EE-37",
        "EPOC for IP identification with address, port and timestamp",
        "epoc",
        put("data_categories", ["user_identification"]),
        put(
            "identification",
            [{"ip_address": "203.0.113.7", "source_port": 51514, "timestamp": "2026-10-01T21:14:09Z"}],
        ),
    ),
    fails(
        "EE-37",
        "EPOC for IP identification without a source port (a warning a person may overrule)",
        "epoc",
        put("data_categories", ["user_identification"]),
        put("identification", [{"ip_address": "203.0.113.7", "timestamp": "2026-10-01T21:14:09Z"}]),
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_rule_table(row: Row) -> None:
    report = situation(row.kind, *row.changes).report()
    if row.passes:
        assert not report.blocking, [f.message for f in report.findings]
        assert row.rule not in {f.rule_id for f in report.findings}
    else:
        assert {f.rule_id for f in report.findings} == {row.rule}, [f.message for f in report.findings]
        assert {f.citation for f in report.findings} == {RULES[row.rule].citation}


@pytest.mark.parametrize("kind", ["epoc", "content", "epoc-pr"])
def test_lawful_baselines_have_no_findings(kind: str) -> None:
    assert situation(kind).report().findings == ()


# Issuing-stage rules without a check: the wire schema refuses the order before any rule runs.
SCHEMA_ENFORCED = [
    ("EE-03", "order sent as a European Investigation Order", "order_type", as_type_named("eio")),
]


@pytest.mark.parametrize(
    ("rule", "name", "field", "change"), SCHEMA_ENFORCED, ids=[r[1] for r in SCHEMA_ENFORCED]
)
def test_schema_enforced_rules(rule: str, name: str, field: str, change: Change) -> None:
    with pytest.raises(InvalidCheckInput) as raised:
        situation("epoc", change).report()
    assert field in raised.value.errors
    assert RULES[rule].check is None and RULES[rule].enforced_by


def test_every_issuing_rule_has_passing_and_failing_situations() -> None:
    issuing = {r.id for r in CATALOGUE if r.instrument is Family.REGULATION and r.stage is Stage.ISSUING}
    checked = {r.id for r in CATALOGUE if r.id in issuing and r.check is not None}
    assert {row.rule for row in ROWS if row.passes} >= checked
    assert {row.rule for row in ROWS if not row.passes} >= checked
    assert {rule for rule, *_ in SCHEMA_ENFORCED} == issuing - checked


def test_rows_are_uniquely_named() -> None:
    assert len({row.name for row in ROWS}) == len(ROWS)


def test_a_caseworker_is_told_what_to_change() -> None:
    (finding,) = situation("content", PROSECUTOR).report().findings
    assert finding.message == (
        "A public prosecutor may not issue an EPOC for traffic or content data without validation by a "
        "judge, court or investigating judge: add a validating authority of one of those types "
        "(Art. 4(2)(b))."
    )
    assert finding.fields == ("validating_authority",)
    assert finding.citation == "Regulation (EU) 2023/1543, Art. 4(2)"


def test_missing_facts_are_asked_for() -> None:
    report = situation("content", drop("person_resides_in_issuing_state")).report()
    (finding,) = report.findings
    assert finding.missing_data and finding.message.startswith("Needs data")
    assert finding.fields == ("person_resides_in_issuing_state",)
    assert report.derived["notification_required"] is None


def test_a_listed_offence_without_the_information_system_fact_asks_for_it() -> None:
    report = situation("content", put("offence.maximum_penalty_months", 24), listed("2019/713", 4)).report()
    (finding,) = report.findings
    assert finding.missing_data
    assert finding.fields == ("offence.listed_offence.by_information_system",)


def test_annex_iv_suggests_the_nearest_code() -> None:
    (finding,) = situation("epoc", put("offence.annex_iv_category", "Fraud")).report().findings
    assert "'fraud'" in finding.message


def test_mixing_categories_is_only_a_warning() -> None:
    report = situation("content", put("data_categories", ["subscriber", "content"])).report()
    assert [f.severity for f in report.findings] == [Severity.WARNING]
    assert not report.blocking


def test_a_non_participating_state_is_pointed_to_the_protocol_when_both_are_bound() -> None:
    report = situation("epoc", put("addressee.country", "US"), declare("FR"), declare("US")).report()
    assert "cets-224-art7" in report.findings[0].message


DERIVED = [
    ("subscriber EPOC", "epoc", (), False, "10_days", False),
    ("emergency subscriber EPOC", "epoc", (emergency(),), False, "emergency_8h", False),
    ("content EPOC, offence and person in France", "content", (), False, "10_days", False),
    ("content EPOC, offence outside France", "content", (NOT_IN_FRANCE,), True, "10_days", False),
    ("EPOC-PR", "epoc-pr", (), False, "preservation_60_days", False),
    (
        "police emergency EPOC-PR without validation",
        "epoc-pr",
        (POLICE, emergency()),
        False,
        "preservation_60_days",
        True,
    ),
    (
        "police emergency EPOC for subscriber data without validation",
        "epoc",
        (POLICE, emergency()),
        False,
        "emergency_8h",
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "changes", "notify", "deadline", "ex_post"), DERIVED, ids=[d[0] for d in DERIVED]
)
def test_derived_facts(
    name: str, kind: str, changes: tuple, notify: bool, deadline: str, ex_post: bool
) -> None:
    derived = situation(kind, *changes).report().derived
    assert derived == {
        "notification_required": notify,
        "notify_state": "IE" if notify else None,
        "deadline": deadline,
        "ex_post_validation_required": ex_post,
    }


@pytest.mark.parametrize(
    "row", [row for row in ROWS if row.rule == "EE-27" and not row.passes], ids=lambda r: r.name
)
def test_an_addressing_refusal_names_article_7(row: Row) -> None:
    """The caseworker reads which paragraph of Art. 7 the addressee breaks, not only the rule id."""
    findings = situation(row.kind, *row.changes).report().findings
    assert findings and all("Art. 7" in finding.message and finding.blocks for finding in findings)


@pytest.mark.parametrize(
    ("name", "change", "field"),
    [
        (
            "an addressee type the Regulation does not know",
            put("addressee.addressee_type", "branch"),
            "addressee",
        ),
        (
            "an Art. 7(2) ground the Regulation does not know",
            lambda s: s.certificate.update(addressing_exception={"ground": "busy"}),
            "addressing_exception.ground",
        ),
    ],
)
def test_the_schema_refuses_an_unknown_addressee_citing_ee27(name: str, change: Change, field: str) -> None:
    """What the schema refuses before the rule runs still names EE-27 and its article."""
    with pytest.raises(InvalidCheckInput) as raised:
        situation("epoc", emergency(), change).report()
    assert any(path.startswith(field) for path in raised.value.errors), raised.value.errors
    assert {f.rule_id for f in raised.value.findings} == {"EE-27"}
    assert all(f.citation == RULES["EE-27"].citation for f in raised.value.findings)
