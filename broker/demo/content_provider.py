"""The content provider's rights in the demo's removal round (Regulation (EU) 2021/784, Arts. 10-11).

The uploader of the removed manual deals with Example Mail, never with the broker: Example Mail records, in
messages it signs to the issuing authority, that it told the uploader (Art. 11(1)-(2)) and what became of
the uploader's complaint (Art. 10). The authority may first decide, for public security, that the uploader
must not be told yet (Art. 11(3)); while that decision runs, the broker refuses the provider's information
and says which rule stops it. Time passes only on the demo's clock, and the worker ends the decision.
"""

from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from broker.clock import to_rfc3339
from broker.demo.network import Party
from broker.demo.scenario import DemoFailed

if TYPE_CHECKING:  # the lifecycle demo runs this round through broker.demo.removal
    from broker.demo.lifecycle import LifecycleDemo

WITHHELD_FOR = timedelta(weeks=4)  # within the 6 weeks of Art. 11(3) (UNCONFIRMED)
INVESTIGATION = (
    "The uploader is the suspect of the investigating judge's inquiry into the attack being prepared; told "
    "of the removal now, he would warn his accomplices."
)


def information(informed_at: str) -> dict[str, Any]:
    """Art. 11(1)-(2): what Example Mail tells the uploader, and how."""
    return {
        "informed_at": informed_at,
        "means": "A notice in the uploader's account and an e-mail to its registered address",
    }


def withhold_from_the_uploader(
    demo: "LifecycleDemo", prosecutor: Party, provider: Party, removal_id: str
) -> None:
    """Art. 11(3): just after the removal the authority decides that the uploader must not be told for four
    weeks; the provider's attempt to tell it meanwhile is refused (409), citing the article and TCO-17."""
    order = demo.call(prosecutor, "GET", f"/api/v1/orders/{removal_id}", 200)
    until = to_rfc3339(demo.clock() + WITHHELD_FOR)
    body = {"decision": "withhold", "until": until, "reasons": INVESTIGATION}
    order = demo.post(prosecutor, order, "removal-withholding", body)
    demo.step(
        f"{prosecutor.name} decides that the uploader must not learn of the removal until {until}: the "
        "investigation must not be tipped off (Art. 11(3))"
    )
    demo.frozen.advance(minutes=5)
    issuer = order["issuing_authority"]["id"]
    jws = demo.signed(
        provider,
        "content-provider-information",
        information(to_rfc3339(demo.clock())),
        issuer,
        order["messages"][0]["id"],
    )
    refused = demo.call(
        provider,
        "POST",
        f"/api/v1/orders/{removal_id}/messages",
        409,
        data=jws,
        content_type="application/jose",
    )
    if "Art. 11(3)" not in refused["detail"]:
        raise DemoFailed(f"the information was refused for another reason: {refused['detail']}")
    demo.step(
        f"Five minutes later {provider.name} tries to tell the uploader: refused, {refused['status']}: "
        f"{refused['detail']}"
    )


def inform_the_uploader(demo: "LifecycleDemo", provider: Party, removal_id: str) -> None:
    """Arts. 10-11: the worker ends the decision not to disclose; the provider tells the uploader, records its
    complaint (Art. 10(1)) and, within the two weeks, the complaint's outcome (Art. 10(2))."""
    order = demo.call(provider, "GET", f"/api/v1/orders/{removal_id}", 200)
    ends = demo.deadline(provider, order, "withholding")["due_at"]
    demo.frozen.advance(seconds=(datetime.fromisoformat(ends) - demo.clock()).total_seconds())
    ended = [line for line in demo.work() if line.startswith("withholding.ended")]
    if not ended:
        raise DemoFailed("the worker did not end the decision not to disclose")
    demo.say(f"   worker: {ended[0]}")
    demo.frozen.advance(hours=2)
    order = demo.post(provider, order, "content-provider-information", information(to_rfc3339(demo.clock())))
    demo.step(
        f"The decision ran out at {ends}, unrenewed, and the worker recorded its end; two hours later "
        f"{provider.name} tells the uploader and records it (Art. 11(1)): state {order['state']}"
    )
    demo.frozen.advance(days=1)
    complaint = {
        "received_at": to_rfc3339(demo.clock()),
        "grounds": "The manual is a chemistry lesson from a video course, not an instruction to attack.",
        "complaint_reference": "EM-CMP-0007",
    }
    order = demo.post(provider, order, "removal-complaint", complaint)
    due = demo.deadline(provider, order, "complaint")["due_at"]
    demo.step(
        f"A day later the uploader complains and asks for the manual back; {provider.name} records the complaint "
        f"(Art. 10(1)): its outcome is due by {due}"
    )
    demo.frozen.advance(days=6)
    outcome = {
        "outcome": "dismissed",
        "decided_at": to_rfc3339(demo.clock()),
        "reasons": "The manual was removed under a removal order, which Example Mail must obey.",
        "remedies": "Challenge the removal order before the Tribunal judiciaire de Paris (Art. 9).",
    }
    order = demo.post(provider, order, "removal-complaint-outcome", outcome)
    clock = demo.deadline(provider, order, "complaint")
    if clock["status"] != "stopped" or clock["breached"]:
        raise DemoFailed(f"the complaint's outcome did not stop its clock in time: {clock}")
    demo.step(
        f"Six days later {provider.name} dismisses it, with its reasons and the remedies left (Art. 10(2)): "
        f"the complaint's clock stopped in time, the order is still {order['state']}"
    )
