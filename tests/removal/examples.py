"""Valid examples of the removal order of Regulation (EU) 2021/784 and of its answers.

The contract tests hold both validators to one verdict on them; the legal and lifecycle tests start
from them.
"""

from typing import Any

PROVIDER = "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f"
ADDRESSEE = "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8"


def removal_order() -> dict[str, Any]:
    """A French police authority orders Example Mail's contact point to remove a bomb-making manual."""
    return {
        "legal_basis": "reg-2021-784",
        "issuing_authority": {
            "organisation": "3f0c9a4e-8b1d-4c2a-9e7f-1a2b3c4d5e6f",
            "name": "Office central de lutte contre la criminalité liée aux technologies de l'information",
            "authority_type": "other_competent_authority",
            "country": "FR",
            "file_number": "OCLCTIC-TCO-2024-031",
        },
        "addressee": {
            "id": ADDRESSEE,
            "provider": {"organisation": PROVIDER, "name": "Example Mail"},
            "addressee_type": "contact_point",
            "name": "Example Mail TCO contact point",
            "country": "IE",
            "address": "1 Example Quay, Dublin 2, D02 X285, Ireland",
        },
        "reasons": {
            "material_types": ["instruction"],
            "statement": "The file explains step by step how to build an explosive device for an attack.",
        },
        "content": [
            {"url": "https://files.example-mail.test/s/8f3a2c", "identification": "manual.pdf, 2.1 MB"}
        ],
        "redress": "You and the content provider may challenge this order before the Tribunal judiciaire de "
        "Paris within two months of its receipt.",
        "withholding": {"until": "2024-05-15", "reasons": "An investigation into the author is ongoing."},
        "emergency": False,
        "language": "en",
    }


def removal_confirmation() -> dict[str, Any]:
    return {"action": "removed", "done_at": "2024-04-05T09:40:00+01:00", "provider_file_number": "EM-TCO-7"}


def removal_impossibility() -> dict[str, Any]:
    return {
        "reason": "technical_or_operational",
        "explanation": "The storage cluster that holds the file is offline for an emergency repair.",
        "expected_end": "2024-04-05T12:00:00Z",
    }


def impossibility_ceased() -> dict[str, Any]:
    return {"ceased_at": "2024-04-05T11:30:00Z"}


def removal_clarification_request() -> dict[str, Any]:
    return {
        "reason": "manifest_error",
        "explanation": "The URL names a folder that does not exist on our service.",
        "fields": ["content.0.url"],
    }


def removal_clarification() -> dict[str, Any]:
    return {
        "explanation": "The folder was renamed; the file is at the URL below.",
        "content": [{"url": "https://files.example-mail.test/s/8f3a2d"}],
    }


def removal_scrutiny_request() -> dict[str, Any]:
    """Art. 4(4): the provider asks Ireland's authority to scrutinise the order."""
    return {
        "requested_by": "hosting_service_provider",
        "reasons": "The manual is a chemistry lesson of a school's channel, not an instruction to attack.",
    }


def removal_scrutiny_intention() -> dict[str, Any]:
    """Art. 4(5): the host State's authority tells the issuer it intends to find an infringement."""
    return {
        "grounds": ["charter"],
        "reasons": "The video is educational material (Art. 1(3)); removing it infringes Art. 11 of the Charter.",
    }


def removal_scrutiny_decision() -> dict[str, Any]:
    """Art. 4(3)-(4): a reasoned decision finding no infringement."""
    return {
        "finding": "no_infringement",
        "reasons": "The statement of reasons shows instruction for an attack.",
    }


def removal_reinstatement() -> dict[str, Any]:
    return {"action": "content_reinstated", "done_at": "2024-04-08T10:05:00+01:00"}


def removal_preservation_extension() -> dict[str, Any]:
    """Art. 6(2): a court reviewing the order needs the content for longer."""
    return {
        "requested_by": "court",
        "until": "2025-01-31T23:59:59+01:00",
        "proceedings": "Tribunal judiciaire de Paris, RG 24/01234 (review of the removal order)",
        "reasons": "The hearing is set for January 2025; the court needs the content as it was published.",
    }


def content_provider_information() -> dict[str, Any]:
    """Art. 11(1)-(2): the provider told the uploader and, when asked, sent a copy of the order."""
    return {
        "informed_at": "2024-04-05T10:30:00+02:00",
        "means": "A notice in the uploader's account and an e-mail to its registered address",
        "on_request": "order_copy",
        "requested_at": "2024-04-06T08:00:00+02:00",
    }


def removal_withholding() -> dict[str, Any]:
    """Art. 11(3): an investigation into the network behind the manual must not be tipped off."""
    return {
        "decision": "withhold",
        "until": "2024-05-10T00:00:00+02:00",
        "reasons": "The uploader is a suspect in an ongoing investigation into an attack being prepared.",
    }


def removal_complaint() -> dict[str, Any]:
    """Art. 10(1): the uploader says the video documents the attack for a news report."""
    return {
        "received_at": "2024-04-07T09:15:00+02:00",
        "grounds": "The video was part of a news report on the attack, published for journalistic purposes.",
        "complaint_reference": "CMP-2024-0042",
    }


def removal_complaint_outcome() -> dict[str, Any]:
    """Art. 10(2): the provider dismissed the complaint, with its reasons and the remedies left."""
    return {
        "outcome": "dismissed",
        "decided_at": "2024-04-15T16:00:00+02:00",
        "reasons": "The video was removed under a removal order, which the provider must obey.",
        "remedies": "Challenge the removal order before the courts of France (Art. 9).",
    }


def threat_notification() -> dict[str, Any]:
    """DSA Art. 18: a video host tells France's authorities of a live threat to a school in Lyon."""
    return {
        "content": {
            "description": "A video announcing an attack with a weapon on a named school in Lyon tomorrow morning.",
            "urls": ["https://video.example.test/watch/3e9c1a"],
        },
        "published_at": "2026-11-24T08:45:00+01:00",
        "offence_timing": "is_likely",
        "suspicion": "The uploader shows a firearm, names the school and the time, and repeats it in comments.",
        "recipient_identification": "Account vh-88213, registered 2026-10-02; last login from 192.0.2.44.",
        "member_states_concerned": ["FR"],
        "provider_reference": "EV-DSA18-0042",
    }
