"""A Council of Europe order is not refused for lacking what only the Regulation's form asks for.

One case per member the shared certificate form demanded (broker.wire.requirements.FORM_ONLY) and per
instrument family that has no rule asking for it: left out, the certificate is of version 3, the wire
schema takes it, the legal engine runs and no finding names the member. The same member left out of
an order under the Regulation is refused, naming the Regulation's rule and article that own it. Each
case cites the article whose silence it rests on.
"""

import pytest

from broker.legal import InvalidCheckInput
from broker.legal import check
from broker.wire.certificates import certificate_version
from broker.wire.registry import validate_body
from broker.wire.requirements import FORM_ONLY
from broker.wire.requirements import requirement
from tests.legal.situations import drop
from tests.legal.situations import put
from tests.legal.situations import situation

ART29, PROTOCOL = "cets-185-art29", "cets-224"

# (baseline, member left out, what the treaty asks instead, the Regulation's rule that owns it)
CASES = [
    # Budapest Art. 29(2): the request names the authority, the offence and facts, the data, the custodian,
    # the need to preserve and the intended request for mutual assistance: no purpose, no emergency, no
    # language of the Regulation's Art. 27, no maximum penalty.
    ("art29", "purpose", "Budapest Convention (CETS 185), Art. 29(2)", "EE-35"),
    ("art29", "emergency", "Budapest Convention (CETS 185), Art. 29(2)", None),
    ("art29", "language", "Budapest Convention (CETS 185), Art. 29(2)", "EE-26"),
    ("art29", "offence.maximum_penalty_months", "Budapest Convention (CETS 185), Art. 29(2)", "EE-09"),
    # CETS 224 Arts. 7-9 (contents of an order or request): no Regulation purpose, no EU necessity
    # statement or domestic-order attestation (Art. 5(2)), no Art. 13 user-information decision.
    ("art7", "purpose", "Second Additional Protocol (CETS 224), Art. 7(3)-(4)", "EE-10"),
    ("art7", "necessity_and_proportionality", "Second Additional Protocol (CETS 224), Art. 7(3)", "EE-11"),
    ("art7", "similar_domestic_order_possible", "Second Additional Protocol (CETS 224), Art. 7(3)", "EE-11"),
    ("art7", "user_information", "Second Additional Protocol (CETS 224), Art. 7(3)-(4)", "EE-24"),
    ("art8", "purpose", "Second Additional Protocol (CETS 224), Art. 8(3)-(4)", "EE-10"),
    ("art8", "necessity_and_proportionality", "Second Additional Protocol (CETS 224), Art. 8(3)", "EE-11"),
    ("art8", "similar_domestic_order_possible", "Second Additional Protocol (CETS 224), Art. 8(3)", "EE-11"),
    ("art8", "user_information", "Second Additional Protocol (CETS 224), Art. 8(3)-(4)", "EE-24"),
    ("art9", "purpose", "Second Additional Protocol (CETS 224), Art. 9(3)", "EE-10"),
    ("art9", "user_information", "Second Additional Protocol (CETS 224), Art. 9(3)", "EE-24"),
]
GROUPS = {"art29": ART29, "art7": PROTOCOL, "art8": PROTOCOL, "art9": PROTOCOL}
REGULATION_BASELINE = {"art29": "epoc-pr", "art7": "epoc", "art8": "epoc", "art9": "epoc"}


@pytest.mark.parametrize(
    ("kind", "member", "article", "eu_rule"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_a_treaty_order_without_a_form_only_member_is_not_refused(kind, member, article, eu_rule):
    assert member in FORM_ONLY[GROUPS[kind]], f"{member} is not form-only under {kind}: {article}"
    chosen = situation(kind, drop(member))
    assert certificate_version(chosen.certificate) == 3
    validate_body(chosen.order_type, 3, chosen.certificate)
    report = chosen.report()  # never InvalidCheckInput
    assert not [
        f for f in report.findings if member in f.fields or any(p.startswith(f"{member}.") for p in f.fields)
    ]
    # Nothing else is refused for it either: the order blocks only where it blocked with the member.
    with_member = situation(kind).report()
    assert {f.rule_id for f in report.findings if f.blocking} <= {
        f.rule_id for f in with_member.findings if f.blocking
    }


@pytest.mark.parametrize(
    ("kind", "member", "article", "eu_rule"),
    [c for c in CASES if c[3] is not None],
    ids=[f"{c[0]}-{c[1]}" for c in CASES if c[3] is not None],
)
def test_under_the_regulation_the_same_member_is_still_required(kind, member, article, eu_rule):
    """The Regulation's form is its law: the member's owner refuses the order, naming its article."""
    regulation = situation(REGULATION_BASELINE[kind], drop(member))
    owner = requirement(member, "reg-2023-1543", regulation.order_type)
    assert owner is not None and owner.rule_id == eu_rule
    with pytest.raises(InvalidCheckInput) as refused:
        check(regulation.input(), regulation.reference)
    assert [f.rule_id for f in refused.value.findings] == [eu_rule]
    messages = " ".join(m for ms in refused.value.errors.values() for m in ms)
    assert f"{eu_rule} (Regulation (EU) 2023/1543" in messages


def test_a_treaty_certificate_with_every_member_stays_at_its_old_version():
    """Parties that know versions 1 and 2 go on reading the certificates they could read."""
    for kind in ("art29", "art7", "art8", "art9"):
        assert certificate_version(situation(kind).certificate) == 1


def test_a_value_given_anyway_is_still_checked():
    """Optional is not unchecked: a purpose outside the list is refused under version 3 too."""
    chosen = situation("art8", drop("user_information"), put("purpose", "curiosity"))
    with pytest.raises(InvalidCheckInput) as refused:
        check(chosen.input(), chosen.reference)
    assert "purpose" in refused.value.errors
