"""The removal-order round of the lifecycle demo (Regulation (EU) 2021/784), on the demo's moving clock.

A French authority orders Example Mail's Irish contact point to remove a bomb-making manual: the
order's first check says what a first, non-emergency order needs (Art. 3(2)); issued as an emergency,
Ireland's competent authority gets its copy (Art. 4(1)); the provider removes it within the hour.
A second order meets an outage (Art. 3(7)): the hour waits, starts again in full when the outage
ends, and the worker records the breach the instant after it runs out.
"""

from typing import TYPE_CHECKING
from typing import Any

from broker.clock import to_rfc3339
from broker.demo.network import Party
from broker.demo.scenario import DemoFailed

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
    breached = _held_then_missed(demo, prosecutor, provider, addressee, urgent)
    return {"removed": removed, "breached": breached}


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
