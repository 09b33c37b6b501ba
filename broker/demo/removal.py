"""The removal-order round of the lifecycle demo (Regulation (EU) 2021/784), on the demo's moving clock.

A French authority orders Example Mail's Irish contact point to remove a bomb-making manual: the
order's first check says what a first, non-emergency order needs (Art. 3(2)); issued as an emergency,
Ireland's competent authority gets its copy (Art. 4(1)); the provider removes it within the hour and
preserves it (Art. 6), and an investigating judge obtains it under an EPOC that names the removal order. The
authority keeps the uploader in the dark for four weeks (Art. 11(3)); when that ends the provider tells it, and
records its complaint and the complaint's outcome (Arts. 10-11).
A second order meets an outage (Art. 3(7)): the hour waits, starts again in full when the outage
ends, and the worker records the breach the instant after it runs out. Last, Example Mail notifies the
prosecutor of a threat against a school (Art. 18 of the Digital Services Act), which the prosecutor answers
with an emergency EPOC that names the notification.
"""

from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from broker.clock import to_rfc3339
from broker.demo import content_provider
from broker.demo.network import Party
from broker.demo.scenario import DemoFailed
from broker.demo.scenario import subscriber_epoc

if TYPE_CHECKING:  # the lifecycle demo runs this round, so it imports this module
    from broker.demo.lifecycle import LifecycleDemo

JUSTIFIED = "The manual is being shared ahead of an announced attack on a public event this weekend."


def removal_order(addressee: str, url: str, **changes: Any) -> dict[str, Any]:
    """Annex I in draft form: the broker fills in the issuing authority and the contact point."""
    return {
        "legal_basis": "reg-2021-784",
        "issuing_authority": {"file_number": "OCLCTIC-TCO-2026-031"},
        "addressee": addressee,
        "reasons": {
            "material_types": ["instruction"],
            "statement": "The file explains step by step how to build an explosive device for an attack.",
        },
        "content": [{"url": url, "identification": "manual.pdf, 2.1 MB"}],
        "redress": "Example Mail and the content provider may challenge this order before the Tribunal "
        "judiciaire de Paris within two months of its receipt.",
        "emergency": False,
        "language": "en",
        **changes,
    }


def remove_terrorist_content(demo: "LifecycleDemo") -> dict[str, str]:
    """Both rounds; returns the ids of the two orders."""
    prosecutor, provider = demo.parties["prosecutor"], demo.parties["provider"]
    addressees = demo.call(prosecutor, "GET", "/api/v1/addressees?country=IE", 200)["items"]
    addressee = next(a for a in addressees if a["removal_role"] == "contact_point")["id"]
    first = demo.call(
        prosecutor,
        "POST",
        "/api/v1/orders",
        201,
        json={
            "order_type": "removal-order",
            "certificate": removal_order(addressee, "https://files.example/s/1"),
        },
    )
    (finding,) = first["checks"]["findings"]
    demo.step(
        f"{prosecutor.name} drafts a removal order for a bomb-making manual; the check says {finding['rule_id']} "
        f"({finding['citation']}): a first order needs 12 hours' notice of procedures, or a justified emergency"
    )
    urgent = {"emergency": True, "emergency_justification": JUSTIFIED}
    order = demo.draft_and_issue(
        prosecutor, provider, "removal-order", removal_order(addressee, "https://files.example/s/1", **urgent)
    )
    copied = demo.parties["enforcing"]
    demo.step(
        f"Issued as an emergency, it goes to {provider.name}'s contact point; {copied.name} gets its copy at the "
        "same time (Art. 4(1))"
    )
    removed = _removed_within_the_hour(demo, provider, order)
    content_provider.withhold_from_the_uploader(demo, prosecutor, provider, removed)
    produced = _produced_by_reference(demo, demo.parties["judge"], provider, addressee, removed)
    content_provider.inform_the_uploader(demo, provider, removed)
    breached = _held_then_missed(demo, prosecutor, provider, addressee, urgent)
    answered = _threat_answered(demo, prosecutor, provider, addressee)
    return {"removed": removed, "produced": produced, "breached": breached, "threat": answered}


def threat_notification(published_at: str) -> dict[str, Any]:
    """What Example Mail found: a threat against a school, posted with the date and a weapon (DSA Art. 18)."""
    return {
        "content": {
            "description": "A post naming a Paris school and tomorrow's date, with a photo of a rifle: "
            "'Tomorrow at 8 it ends for all of them.'",
            "urls": ["https://files.example/p/77"],
        },
        "published_at": published_at,
        "offence_timing": "is_likely",
        "suspicion": "The author names the place and time of an attack and shows the weapon.",
        "recipient_identification": "Account j.doe.1987@examplemail.example; last login from 198.51.100.7.",
        "member_states_concerned": ["FR"],
        "provider_reference": "EM-DSA18-0001",
    }


def threat_epoc(addressee: str) -> dict[str, Any]:
    """The prosecutor's answer: an emergency EPOC for who is behind the account, now."""
    certificate = subscriber_epoc(None)
    certificate.update(
        addressee=addressee,
        issuing_authority={"file_number": "PARQUET-2027-URG-3"},
        offence={
            "description": "Threat of a terrorist attack on a school (DSA Art. 18 notification).",
            "legal_provisions": ["Code pénal, art. 421-2-5"],
            "maximum_penalty_months": 84,
        },
        emergency=True,
        emergency_justification="An attack on a school is announced for tomorrow morning.",
        case_summary="Example Mail notified a threat against a Paris school; the author must be found tonight.",
    )
    return certificate


def _threat_answered(demo: "LifecycleDemo", prosecutor: Party, provider: Party, addressee: str) -> str:
    """Regulation (EU) 2022/2065, Art. 18: a provider's notification, answered by an emergency EPOC."""
    published = to_rfc3339(demo.clock() - timedelta(minutes=15))
    jws = demo.signed(
        provider, "threat-notification", threat_notification(published), prosecutor.organisation_id
    )
    notified = demo.call(
        provider, "POST", "/api/v1/threat-notifications", 201, data=jws, content_type="application/jose"
    )
    listed = demo.call(prosecutor, "GET", "/api/v1/threat-notifications", 200)["items"]
    if not listed or listed[0]["id"] != notified["id"] or not listed[0]["emergency"]:
        raise DemoFailed(f"the notification is not first in the authority's list: {listed}")
    demo.step(
        f"{provider.name} notifies {prosecutor.name} of a threat to a school (Digital Services Act, Art. 18): "
        "it tops the prosecutor's list as an emergency"
    )
    order = demo.call(
        prosecutor,
        "POST",
        "/api/v1/orders",
        201,
        json={
            "order_type": "epoc",
            "certificate": threat_epoc(addressee),
            "threat_notification": notified["id"],
        },
    )
    order = demo.issue(prosecutor, provider, order)
    answered = demo.call(prosecutor, "GET", f"/api/v1/threat-notifications/{notified['id']}", 200)
    if answered["answered_by"] != [order["id"]]:
        raise DemoFailed(f"the notification does not show its answer: {answered['answered_by']}")
    order = demo.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
    demo.frozen.advance(minutes=40)
    order = demo.post(provider, order, "response", {"outcome": "produced", "data_preserved": True})
    demo.step(
        f"{prosecutor.name} answers it with an emergency EPOC naming the notification; {provider.name} produces "
        f"the subscriber data 40 minutes later: state {order['state']}"
    )
    return str(notified["id"])


def content_epoc(addressee: str) -> dict[str, Any]:
    """The investigation the removal fed: an EPOC for the removed manual and the account that posted it."""
    certificate = subscriber_epoc(None)
    certificate.update(
        addressee=addressee,
        issuing_authority={"file_number": "JI-2026-TERR-07"},
        data_categories=["content"],
        targets=[{"type": "account", "value": "files.example/s/1 uploader"}],
        offence={
            "description": "Preparation of a terrorist attack: an explosives manual shared ahead of an event.",
            "legal_provisions": ["Code pénal, art. 421-2-6"],
            "maximum_penalty_months": 120,
        },
        offence_committed_in_issuing_state=True,
        person_resides_in_issuing_state=True,
        case_summary="The manual removed under the removal order was posted to prepare an attack in Paris.",
    )
    return certificate


def _produced_by_reference(
    demo: "LifecycleDemo", judge: Party, provider: Party, addressee: str, removal_id: str
) -> str:
    """Art. 6 of Regulation (EU) 2021/784: the removed content is preserved, and produced under an EPOC that
    names the removal order (Art. 6(1)(b)), issued by an investigating judge of the issuing State."""
    removal = demo.call(provider, "GET", f"/api/v1/orders/{removal_id}", 200)
    kept = demo.deadline(provider, removal, "content_preservation")["due_at"]
    demo.step(
        f"{provider.name} preserves the removed manual and its related data until {kept}: six months from "
        "removal (Regulation (EU) 2021/784, Art. 6(2))"
    )
    demo.frozen.advance(days=3)
    order = demo.call(
        judge,
        "POST",
        "/api/v1/orders",
        201,
        json={"order_type": "epoc", "certificate": content_epoc(addressee), "removal_order": removal_id},
    )
    if order["checks"]["blocking"] or order["removal_order"] != removal_id:
        raise DemoFailed(f"the EPOC by reference was not drafted as expected: {order['checks']}")
    order = demo.issue(judge, provider, order)
    demo.step(
        f"Three days later {judge.name} issues an EPOC for the preserved manual, by reference to the removal "
        "order: the broker checked that the content is still preserved and that the judge's State issued the "
        "removal order (Art. 6(1)(b))"
    )
    order = demo.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
    order = demo.post(provider, order, "response", {"outcome": "produced", "data_preserved": True})
    demo.step(f"{provider.name} produces the preserved content under it: state {order['state']}")
    return str(order["id"])


def _removed_within_the_hour(demo: "LifecycleDemo", provider: Party, order: dict[str, Any]) -> str:
    order = demo.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
    due = demo.deadline(provider, order, "removal")["due_at"]
    demo.step(
        f"{provider.name} receives it at {order['received_at']}: the content must go by {due} (Art. 3(3))"
    )
    demo.frozen.advance(minutes=25)
    body = {"action": "removed", "done_at": to_rfc3339(demo.clock()), "provider_file_number": "EM-TCO-1"}
    order = demo.post(provider, order, "removal-confirmation", body)
    demo.step(f"25 minutes later it removes the manual and confirms (Annex II): state {order['state']}")
    return str(order["id"])


def _held_then_missed(
    demo: "LifecycleDemo", prosecutor: Party, provider: Party, addressee: str, urgent: dict[str, Any]
) -> str:
    order = demo.draft_and_issue(
        prosecutor, provider, "removal-order", removal_order(addressee, "https://files.example/s/2", **urgent)
    )
    order = demo.call(provider, "POST", f"/api/v1/orders/{order['id']}/receive", 200)
    demo.frozen.advance(minutes=10)
    body = {"reason": "technical_or_operational", "explanation": "The storage cluster holding it is down."}
    order = demo.post(provider, order, "removal-impossibility", body)
    demo.frozen.advance(hours=3)
    order = demo.post(provider, order, "impossibility-ceased", {"ceased_at": to_rfc3339(demo.clock())})
    due = demo.deadline(provider, order, "removal")["due_at"]
    demo.step(
        f"A second order meets an outage (Art. 3(7), Annex III): the hour waits three hours, then starts again "
        f"in full when the outage ends, due {due}"
    )
    demo.frozen.advance(hours=1)
    if any("deadline.missed" in line for line in demo.work()):
        raise DemoFailed("the worker fired the removal hour at its last instant, which is still in time")
    demo.frozen.advance(seconds=1)
    done = [line for line in demo.work() if "deadline.missed" in line]
    if not done:
        raise DemoFailed("the worker did not record the missed removal hour")
    demo.step(
        f"Nothing comes: one second after the hour the worker records the breach ({done[0].split(':')[0]})"
    )
    return str(order["id"])
