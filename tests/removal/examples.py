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
