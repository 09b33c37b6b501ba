"""A plain EPOC certificate for the ETSI tests (the same shape tests/contract uses)."""

from typing import Any


def plain_epoc() -> dict[str, Any]:
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": {
            "organisation": "3f0c9a4e-8b1d-4c2a-9e7f-1a2b3c4d5e6f",
            "name": "Parquet de Paris",
            "authority_type": "public_prosecutor",
            "country": "FR",
            "file_number": "PNC-2024-00172",
        },
        "validating_authority": None,
        "addressee": {
            "id": "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8",
            "provider": {"organisation": "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f", "name": "Example Mail"},
            "addressee_type": "designated_establishment",
            "name": "Example Mail Ireland Ltd",
            "country": "IE",
            "address": "1 Example Quay, Dublin 2",
        },
        "data_categories": ["subscriber"],
        "targets": [{"type": "email_address", "value": "l.martin.2024@example-mail.test"}],
        "time_range": {"start": "2024-01-01T00:00:00+01:00", "end": "2024-03-31T23:59:59+02:00"},
        "offence": {
            "description": "Fraud.",
            "legal_provisions": ["Code pénal, article 313-1"],
            "maximum_penalty_months": 60,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": "The only link.",
        "similar_domestic_order_possible": True,
        "case_summary": "Forty victims.",
        "user_information": {"decision": "inform"},
        "language": "en",
    }
