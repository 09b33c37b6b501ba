"""Regulation (EU) 2021/784 (terrorist content online): the removal order's rules, as data.

Ids and confidence follow tco-dsa.md (TCO-xx). The issuing-stage rules are checked on the removal
order before it leaves, by broker.legal.removal.check_removal_order (a removal order is not a
certificate, so the certificate engine never runs them); the others name where the broker enforces
them: cross-border scrutiny (TCO-12, TCO-13) and the preservation of removed content (TCO-14, TCO-15) are
steps and clocks of the lifecycle table, as are the content provider's rights (TCO-16 to TCO-18: Art. 11
information, its withholding, complaints); Art. 5 exposure is not a rule here yet.
"""

from broker.legal.model import Confidence
from broker.legal.model import Family
from broker.legal.model import Rule
from broker.legal.model import Severity
from broker.legal.model import Stage

TCO = "Regulation (EU) 2021/784"
CHECKED = "broker.legal.removal.check_removal_order, on the removal order before it leaves."
V, V2, U = Confidence.CONFIRMED, Confidence.SECONDARY, Confidence.UNCONFIRMED


def _rule(
    id: str,
    citation: str,
    explanation: str,
    confidence: Confidence,
    source: str,
    stage: Stage,
    enforced_by: str,
) -> Rule:
    return Rule(
        id=id,
        instrument=Family.TCO,
        citation=f"{TCO}, {citation}",
        severity=Severity.ERROR,
        explanation=explanation,
        confidence=confidence,
        source=source,
        stage=stage,
        applies_to=frozenset(),
        enforced_by=enforced_by,
    )


TCO03 = _rule(
    "TCO-03",
    "Art. 3(3)",
    "The provider removes the content or disables access to it as soon as possible and in any event within "
    "one hour of receipt of the removal order. The last instant of the hour is still in time; the breach "
    "is every instant after it.",
    V,
    "tco-dsa.md TCO-03 ([B1], [F1]); legal-rules.md §6.4 TC-01; the breach instant is the broker's reading "
    "of 'within one hour'",
    Stage.LIFECYCLE,
    "broker.lifecycle.REMOVAL_RULES (receipt starts the removal clock) and "
    "broker.orders.deadlines.removal_due and removal_breached.",
)
TCO04 = _rule(
    "TCO-04",
    "Art. 3(2)",
    "A competent authority that has not issued a removal order to this provider before gives it information "
    "on the applicable procedures and deadlines at least 12 hours before issuing the first one, except in "
    "duly justified emergencies.",
    U,
    "tco-dsa.md TCO-04 (emergency exception [T2]; the 12 hours UNCONFIRMED); legal-rules.md §6.4 TC-02; the "
    "notice is the authority's record, POST /api/v1/removal-notices (broker.orders.operations."
    "record_procedures_notice), and the earliest one counts",
    Stage.ISSUING,
    CHECKED,
)
TCO05 = _rule(
    "TCO-05",
    "Art. 3(4), Annex I",
    "The removal order states the issuing authority, a sufficiently detailed statement of reasons naming "
    "the type of material of Art. 2(7), the exact URLs and what else identifies the content, the legal "
    "basis, redress information with its deadlines and, where relevant, the decision to withhold "
    "information from the content provider; the signed envelope gives its date, time stamp and signature.",
    U,
    "tco-dsa.md TCO-05 (field list UNCONFIRMED); legal-rules.md §4.1; Annex I sections A-B as copied by EU "
    "Monitor (parlementairemonitor.nl, 'Annexes to COM(2018)640') corroborate the contact point or legal "
    "representative, the URL with additional information, the Art. 2(7) reasons as ticked boxes, the time "
    "and date of issuing and a reference number; the redress and withholding sections were not seen",
    Stage.ISSUING,
    CHECKED,
)
TCO06 = _rule(
    "TCO-06",
    "Art. 3(5)",
    "The removal order travels by electronic means that produce a written record, authenticate the sender "
    "and record the exact date and time of sending and of receipt.",
    V,
    "tco-dsa.md TCO-06 ([T2]); legal-rules.md §6.4 TC-03",
    Stage.RECORD,
    "the signed envelope (broker.wire.envelope: issued_at, the sender's JWS) and the receipt step of "
    "broker.lifecycle.REMOVAL_RULES, which records the receipt time to the second.",
)
TCO07 = _rule(
    "TCO-07",
    "Art. 3(6), Annex II",
    "The provider informs the issuing authority without undue delay that it removed the content or disabled "
    "access to it, and when.",
    U,
    "tco-dsa.md TCO-07 (the duty to inform [B1]; the Annex II form UNCONFIRMED)",
    Stage.LIFECYCLE,
    "the removal-confirmation message (broker.wire.removal, with its done_at) in "
    "broker.lifecycle.REMOVAL_RULES, which stops the removal clock.",
)
TCO08 = _rule(
    "TCO-08",
    "Art. 3(7), Annex III",
    "A provider that cannot comply because of force majeure or de facto impossibility not attributable to "
    "it, including objectively justifiable technical or operational reasons, informs the issuing "
    "authority; the hour starts to run once the reasons cease.",
    V,
    "tco-dsa.md TCO-08 ([T2]); legal-rules.md §6.4 TC-01",
    Stage.LIFECYCLE,
    "the removal-impossibility and impossibility-ceased messages in broker.lifecycle.REMOVAL_RULES (pause, "
    "then a full hour from ceased_at, broker.orders.deadlines.removal_due).",
)
TCO09 = _rule(
    "TCO-09",
    "Art. 3(8), Annex III",
    "A provider that cannot comply because the order contains manifest errors or not sufficient "
    "information asks for clarification; the hour starts to run once the clarification is received.",
    V,
    "tco-dsa.md TCO-09 ([T2]); legal-rules.md §6.4 TC-01",
    Stage.LIFECYCLE,
    "the removal-clarification-request and removal-clarification messages in "
    "broker.lifecycle.REMOVAL_RULES (pause, then a full hour from the clarification's receipt).",
)
TCO11 = _rule(
    "TCO-11",
    "Art. 4(1)",
    "Where the hosting service provider's main establishment or legal representative is in another Member "
    "State, the issuing authority sends a copy of the removal order to that State's competent authority at "
    "the same time as it sends the order to the provider.",
    V,
    "tco-dsa.md TCO-11 ([T2]); the addressee's country stands for the State of main establishment or legal "
    "representative (the broker's reading)",
    Stage.LIFECYCLE,
    "broker.legal.removal.check_removal_order derives scrutiny_state, and the issue step "
    "(broker.workflow.operations.issuing) makes that State's registered competent authority a party of the "
    "order at the instant it is issued, so it reads the order and every later step.",
)
TCO12 = _rule(
    "TCO-12",
    "Art. 4(3)-(4)",
    "The competent authority of the host Member State may, within 72 hours of receiving the copy of a "
    "cross-border removal order, scrutinise whether it seriously or manifestly infringes the Regulation or "
    "the fundamental rights of the Charter, and where it finds an infringement it adopts a reasoned decision "
    "within the same period. The provider, or the content provider, may ask it to, with reasons, within 48 "
    "hours (UNCONFIRMED) of receiving the order or the Art. 11(2) information; it then decides within 72 "
    "hours of receiving the request. A window closes at its due time; a request's 72 hours missed are a "
    "breach, and the decision it owes may still be given.",
    V2,
    "tco-dsa.md TCO-12 (72 hours V [T2]; the 48-hour request window and the may/must split UNCONFIRMED); the "
    "text of Art. 4 as shown, in part, by lexray.eu/adtcor ('Where it finds an infringement, it shall, "
    "within the same period, adopt a reasoned decision', 'within 72 hours of receiving the request, adopt a "
    "reasoned decision following its scrutiny ... setting out its findings as to whether there is an "
    "infringement') and Tech Against Terrorism's guide to challenging a removal order (ksp."
    "techagainstterrorism.org, topic 4: the provider and the author may submit a request for review to the "
    "home authority, which responds within 72 hours); the paragraph numbers are the broker's reading "
    "(tco-dsa.md numbers them 4(2)-(4))",
    Stage.LIFECYCLE,
    "the issue step (broker.workflow.operations.issuing) starts the scrutiny clock, 72 hours "
    "(broker.orders.deadlines.SCRUTINY_WINDOW), when it copies the host State's competent authority; a "
    "removal-scrutiny-request (broker.lifecycle.REMOVAL_RULES, to that authority) starts it again from its "
    "receipt, within broker.orders.deadlines.SCRUTINY_REQUEST_WINDOW (broker.workflow.guards); broker worker "
    "closes it (scrutiny_window.closed), or records a request's missed decision (deadline.missed).",
)
TCO13 = _rule(
    "TCO-13",
    "Art. 4(5)-(7)",
    "Before adopting a decision finding an infringement, the host State's authority informs the issuing "
    "authority of its intention and reasons. It communicates its reasoned decision to the issuing authority "
    "and the provider; where it finds an infringement the removal order ceases to have legal effects, and "
    "the provider reinstates the content or access to it immediately.",
    U,
    "tco-dsa.md TCO-13 (UNCONFIRMED); the reinstatement after a successful challenge corroborated for the "
    "2018 proposal only (Digital Watch [D1]); not read in the Official Journal",
    Stage.LIFECYCLE,
    "broker.lifecycle.REMOVAL_RULES: removal-scrutiny-intention, then removal-scrutiny-decision (finding "
    "infringement: state ceased, the hour stops; broker.workflow.guards refuses it without an intention "
    "since the window started) and removal-reinstatement (state reinstated).",
)
TCO14 = _rule(
    "TCO-14",
    "Art. 6(1)",
    "The provider preserves content removed or disabled under a removal order, and related data removed as "
    "a consequence, as needed for administrative or judicial review or complaint handling, and for the "
    "prevention, detection, investigation and prosecution of terrorist offences. An investigator may "
    "address an EPOC or EPOC-PR to the preserved content by reference to the removal order.",
    V2,
    "tco-dsa.md TCO-14 (the obligation V2 [TR1]; the purposes UNCONFIRMED); Tech Against Terrorism's guide "
    "(ksp.techagainstterrorism.org, topic 4: removed content and associated data kept in secure conditions "
    "to aid investigation and to allow challenges); the reference from an EPOC is the broker's design",
    Stage.LIFECYCLE,
    "broker.orders.removal.preserved_reference, when an EPOC or EPOC-PR is drafted with removal_order: the "
    "same provider, a removal order whose content_preservation clock still runs, and an authority that is "
    "a party of it or of its issuing State.",
)
TCO15 = _rule(
    "TCO-15",
    "Art. 6(2)",
    "The removed content and related data are preserved for six months from the removal; at the request of "
    "the competent authority or a court, for a further specified period, only as long as ongoing review "
    "proceedings need it.",
    U,
    "tco-dsa.md TCO-15 (UNCONFIRMED); legal-rules.md §6.4 TC-04; six months read in Tech Against "
    "Terrorism's guide (ksp.techagainstterrorism.org, topic 4: 'for a period of six months'); the terms of "
    "the extension not read in any source",
    Stage.LIFECYCLE,
    "broker.lifecycle.REMOVAL_RULES: removal-confirmation starts the content_preservation clock, six months "
    "from its done_at (broker.orders.deadlines.CONTENT_PRESERVATION_MONTHS); "
    "removal-preservation-extension moves its end to a later instant (broker.workflow.guards); broker "
    "worker records its end (content_preservation.ended).",
)
TCO16 = _rule(
    "TCO-16",
    "Art. 11(1)-(2)",
    "Where the provider removed the content or disabled access to it, it makes information on that "
    "available to the content provider and, at the content provider's request, informs it of the reasons "
    "and the possibilities to challenge the order, or gives it a copy of the order; unless the issuing "
    "authority decided otherwise (Art. 11(3)). The broker records the provider's statement that it did so, "
    "never the removed content.",
    V2,
    "tco-dsa.md TCO-16 ('unless the authority decides otherwise' V [B1]; details UNCONFIRMED); BIPT's page "
    "on the providers' obligations (bipt.be/operators/obligations-imposed-on-all-service-providers: 'Unless "
    "the authority that issued the order decides otherwise, the hosting service provider must also inform "
    "the content provider'); the Official Journal text not read",
    Stage.LIFECYCLE,
    "broker.lifecycle.REMOVAL_RULES: content-provider-information from the provider once content was removed "
    "(removed, ceased, reinstated); broker.workflow.guards refuses it (409) while a withholding runs, and an "
    "informed_at inside a withholding (422).",
)
TCO17 = _rule(
    "TCO-17",
    "Art. 11(3)",
    "The issuing authority may decide that the provider must not inform the content provider, for reasons "
    "of public security, for as long as necessary but at most 6 weeks from the decision, renewable by a "
    "further 6 weeks while non-disclosure is still justified; meanwhile the provider discloses nothing. "
    "Annex I (g) is checked here at issue and starts the withholding clock at receipt; a later decision or "
    "its renewal is a removal-withholding (broker.lifecycle.REMOVAL_RULES, checked by broker.workflow.guards: "
    "6 weeks from the decision, or from the current end, renewed once); the worker ends it "
    "(withholding.ended, not a breach), and the provider's information is refused while it runs.",
    U,
    "tco-dsa.md TCO-17 (UNCONFIRMED); not found in the sources searched (EUR-Lex text not read); one renewal "
    "is the broker's reading of 'a further six weeks' (broker.orders.deadlines.WITHHOLDING_RENEWALS)",
    Stage.ISSUING,
    CHECKED,
)
TCO18 = _rule(
    "TCO-18",
    "Art. 10",
    "The provider has an effective and accessible mechanism for content providers whose content was removed "
    "to ask for its reinstatement; it examines each complaint promptly, reinstates without undue delay if "
    "the removal was unjustified, and informs the complainant of the outcome within two weeks of receipt, "
    "with the reasons and the remedies left if it dismisses the complaint. The Regulation requires the "
    "mechanism for removals under specific measures (Art. 5); the broker records, on the removal order, a "
    "complaint about content removed under it (whether Art. 10 reaches such a complaint is UNCONFIRMED; the "
    "order itself is challenged in court, Art. 9).",
    V2,
    "tco-dsa.md TCO-18 (UNCONFIRMED); two weeks and the two outcomes read in Tech Against Terrorism's guide "
    "(ksp.techagainstterrorism.org, complaints topics 2 and 3: 'informed of the outcome of the review within "
    "two weeks'); legal-rules.md §4",
    Stage.LIFECYCLE,
    "broker.lifecycle.REMOVAL_RULES: removal-complaint starts the complaint clock, two weeks from its "
    "received_at (broker.orders.deadlines.COMPLAINT_OUTCOME); removal-complaint-outcome stops it, recorded "
    "late when decided after them; the worker records a missed outcome (deadline.missed); the reports count "
    "complaints.",
)
TCO22 = _rule(
    "TCO-22",
    "Art. 3(5), Art. 15, Art. 17",
    "The removal order goes to the hosting service provider's contact point (Art. 15) or, for a provider "
    "without a main establishment in the Union, to its legal representative (Art. 17).",
    V,
    "tco-dsa.md TCO-22 ([B1]), TCO-06 ([T2])",
    Stage.ISSUING,
    CHECKED,
)

RULES = (
    *(TCO03, TCO04, TCO05, TCO06, TCO07, TCO08, TCO09, TCO11, TCO12, TCO13, TCO14, TCO15),
    *(TCO16, TCO17, TCO18, TCO22),
)
