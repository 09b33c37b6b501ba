# ruff: noqa: RUF001 - the examples are written in Bulgarian on purpose: Cyrillic letters are the point
"""Example certificates as sealed PDFs and page images, for docs/certificates.md.

    python -m broker.certificates.samples docs/images            # PNG of each form's first page
    python -m broker.certificates.samples docs/images --pdf out/ # and the sealed PDFs themselves

Every key is generated at run time (parties' signing keys and the seal), so nothing secret is kept
and the images are made, never drawn by hand. The page images need pdftoppm (Debian's poppler-utils).
The orders are invented: a Bulgarian prosecutor writes in Bulgarian to a provider's establishment in
Germany (rendered in German), a French police office preserves data (rendered in French), the
provider answers on the Annex III form (rendered in English), and the police confirm the production
request (Annex V, in English) and extend the preservation (Annex VI, in German). The other outcome
of the Bulgarian order is shown too: the provider answers that it produced the data (the broker's
answer form, in French) and lists them in its evidence manifest (in English).
"""

import argparse
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from broker import crypto
from broker.certificates.document import certificate_pdf
from broker.certificates.seal import Seal
from broker.client.verify import TrustedKey
from broker.client.verify import TrustList
from broker.wire import envelope

SIGNED_AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
PROSECUTOR = "4b1e0c57-9f3a-4d2e-8c61-7a5b3d2e1f09"
POLICE = "e2c4a6b8-1d3f-4a5b-9c7d-0e1f2a3b4c5d"
PROVIDER = "7d9e2f10-3c4b-4a5d-8e6f-9a0b1c2d3e4f"
ADDRESSEE = {
    "id": "c2b1a0f9-e8d7-4c6b-a5f4-e3d2c1b0a9f8",
    "provider": {"organisation": PROVIDER, "name": "Example Mail"},
    "addressee_type": "designated_establishment",
    "name": "Example Mail Deutschland GmbH",
    "country": "DE",
    "address": "Beispielstraße 1, 10115 Berlin, Deutschland",
}


def epoc() -> dict[str, Any]:
    """A Bulgarian prosecutor orders subscriber and traffic data, writing in Bulgarian."""
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": {
            "organisation": PROSECUTOR,
            "name": "Софийска районна прокуратура",
            "authority_type": "public_prosecutor",
            "country": "BG",
            "file_number": "ДП 1234/2026",
            "contact": {
                "name": "Мария Иванова",
                "email": "m.ivanova@prb.example.bg",
                "phone": "+359 2 000 0000",
            },
        },
        "validating_authority": None,
        "addressee": ADDRESSEE,
        "data_categories": ["subscriber", "traffic"],
        "targets": [{"type": "email_address", "value": "d.petrov.2026@example-mail.test"}],
        "time_range": {"start": "2026-09-01T00:00:00+03:00", "end": "2026-10-31T23:59:59+02:00"},
        "offence": {
            "description": "Измама чрез фалшиви обяви за отдаване под наем на жилища.",
            "legal_provisions": ["Наказателен кодекс, чл. 209"],
            "maximum_penalty_months": 72,
        },
        "purpose": "criminal_proceedings",
        "emergency": False,
        "necessity_and_proportionality": "Профилът е единствената връзка между пострадалите и заподозрения.",
        "similar_domestic_order_possible": True,
        "case_summary": "Четиридесет пострадали са платили депозити по фалшиви обяви.",
        "user_information": {
            "decision": "delay",
            "justification": "Уведомяването сега би предупредило заподозрения.",
        },
        "offence_committed_in_issuing_state": True,
        "person_resides_in_issuing_state": True,
        "language": "bg",
    }


def epoc_pr() -> dict[str, Any]:
    """A French police office, validated by the prosecutor, preserves IP logs in an emergency."""
    return {
        "instrument": "reg-2023-1543",
        "issuing_authority": {
            "organisation": POLICE,
            "name": "Office anti-cybercriminalité",
            "authority_type": "other_competent_authority",
            "country": "FR",
            "file_number": "OFAC-2026-0917",
        },
        "validating_authority": {
            "organisation": PROSECUTOR,
            "name": "Parquet de Paris",
            "authority_type": "public_prosecutor",
            "country": "FR",
            "file_number": "PNC-2026-00172",
            "contact": {"name": "Camille Durand", "email": "camille.durand@justice.example.fr"},
        },
        "addressee": ADDRESSEE,
        "data_categories": ["user_identification", "traffic"],
        "targets": [{"type": "account", "value": "l.martin.2026"}],
        "identification": [
            {"ip_address": "203.0.113.7", "source_port": 51514, "timestamp": "2026-11-20T21:14:09+01:00"}
        ],
        "time_range": {"start": "2026-11-01T00:00:00Z", "end": "2026-11-23T12:00:00Z"},
        "offence": {
            "description": "Violences aggravées et menaces de mort réitérées envers une ancienne compagne.",
            "legal_provisions": ["Code pénal, article 222-12", "Code pénal, article 222-17"],
            "maximum_penalty_months": 60,
        },
        "purpose": "criminal_proceedings",
        "emergency": True,
        "emergency_justification": "Menaces de mort envoyées cette nuit ; les journaux sont effacés sous 48 heures.",
        "necessity_and_proportionality": "Seuls ces journaux permettent de localiser l'auteur avant leur effacement.",
        "case_summary": "L'auteur menace la victime en ligne depuis un compte anonyme.",
        "subsequent_request": "epo",
        "language": "fr",
    }


def not_executed() -> dict[str, Any]:
    """The addressee never stored the data asked for."""
    return {
        "outcome": "not_executed",
        "reason": "data_not_stored",
        "explanation": "Das Konto wurde 2025 gelöscht; es wurden keine Daten aufbewahrt.",
        "data_preserved": False,
        "addressee_file_number": "EM-DE-2026-0042",
    }


def produced() -> dict[str, Any]:
    """The addressee produced everything asked for."""
    return {
        "outcome": "produced",
        "data_preserved": True,
        "explanation": "Bestands- und Verkehrsdaten werden als verschlüsselte Beweispakete übermittelt.",
        "addressee_file_number": "EM-DE-2026-0051",
    }


def manifest() -> dict[str, Any]:
    """The addressee's signed list of the files it produced, each with its encrypted package."""
    return {
        "data_categories": ["subscriber", "traffic"],
        "time_range": {"start": "2026-09-01T00:00:00+03:00", "end": "2026-10-31T23:59:59+02:00"},
        "recipient": "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef",
        "addressee_file_number": "EM-DE-2026-0051",
        "files": [
            {
                "name": "traffic-d.petrov.2026.csv",
                "size": 48213,
                "sha256": "5e1c0d3f8a7b6c2e9d4f1a0b3c5e7d9f2a4c6e8b0d1f3a5c7e9b2d4f6a8c0e1d",
                "package": {
                    "id": "9f3e2d1c-0b4a-4c5d-8e7f-6a5b4c3d2e1f",
                    "size": 48704,
                    "sha256": "c4a2e0f8d6b4a2c0e8f6d4b2a0c8e6f4d2b0a8c6e4f2d0b8a6c4e2f0d8b6a4c2",
                },
            },
            {
                "name": "subscriber-d.petrov.2026.json",
                "size": 612,
                "sha256": "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b",
                "package": {
                    "id": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "size": 1103,
                    "sha256": "7f6e5d4c3b2a19080f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978",
                },
            },
        ],
    }


@dataclass(frozen=True)
class Sample:
    """One example: its name, the message, the certificate it quotes, the form's language and order."""

    name: str
    message: str
    certificate: str
    language: str
    order: str


@dataclass(frozen=True)
class Party:
    organisation: str
    key: Any

    @property
    def kid(self) -> str:
        return crypto.jwk_thumbprint(crypto.public_jwk(self.key))

    def sign(
        self, message_type: str, body: dict[str, Any], recipient: str, in_reply_to: str | None = None
    ) -> str:
        sealed = envelope.new_envelope(
            message_type=message_type,
            body=body,
            sender=self.organisation,
            kid=self.kid,
            recipient=recipient,
            issued_at=SIGNED_AT,
            in_reply_to=in_reply_to,
        )
        return envelope.seal(sealed, self.key, self.kid)


def parties() -> dict[str, Party]:
    """The example parties, each with a signing key made now."""
    return {
        name: Party(organisation, crypto.generate_private_key("EdDSA"))
        for name, organisation in (("prosecutor", PROSECUTOR), ("police", POLICE), ("provider", PROVIDER))
    }


def trust_list(of: dict[str, Party]) -> TrustList:
    """The trust list a provider holds for the example parties."""
    return TrustList(
        TrustedKey(each.kid, crypto.public_jwk(each.key), organisation=each.organisation)
        for each in of.values()
    )


def samples(of: dict[str, Party]) -> list[Sample]:
    """The example documents, signed by the example parties."""
    order, preservation = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
    production = of["prosecutor"].sign("epoc", epoc(), PROVIDER)
    preserve = of["police"].sign("epoc-pr", epoc_pr(), PROVIDER)
    certificate_id = envelope.read_unverified(production)["id"]
    preservation_id = envelope.read_unverified(preserve)["id"]
    answer = of["provider"].sign("response", not_executed(), PROSECUTOR, in_reply_to=certificate_id)
    confirmation = of["police"].sign(
        "production-request-confirmation",
        {"request_type": "epo", "reference": "OFAC-2026-0917-EPO", "issued_on": "2026-12-10"},
        PROVIDER,
        in_reply_to=preservation_id,
    )
    extension = of["police"].sign(
        "preservation-extension",
        {"reason": "La demande de production est en cours de validation par le parquet."},
        PROVIDER,
        in_reply_to=preservation_id,
    )
    answered = of["provider"].sign("response", produced(), PROSECUTOR, in_reply_to=certificate_id)
    listed = of["provider"].sign("evidence-manifest", manifest(), PROSECUTOR, in_reply_to=certificate_id)
    return [
        Sample("epoc-de", production, production, "de", order),
        Sample("epoc-pr-fr", preserve, preserve, "fr", preservation),
        Sample("annex-iii-en", answer, production, "en", order),
        Sample("annex-v-en", confirmation, preserve, "en", preservation),
        Sample("annex-vi-de", extension, preserve, "de", preservation),
        Sample("answer-fr", answered, production, "fr", order),
        Sample("evidence-manifest-en", listed, production, "en", order),
    ]


def main(argv: list[str] | None = None) -> None:
    """Write the first page of each example as PNG (and, with --pdf, the sealed PDFs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("images", type=Path, help="folder for the PNG page images (docs/images)")
    parser.add_argument("--pdf", type=Path, help="also keep the sealed PDFs in this folder")
    parser.add_argument("--dpi", type=int, default=70)
    arguments = parser.parse_args(argv)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise SystemExit("pdftoppm is needed for the page images: apt-get install poppler-utils")
    seal = Seal.generate("e-evidence broker (example seal)")
    arguments.images.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for sample in samples(parties()):
            pdf = certificate_pdf(
                sample.message,
                seal,
                language=sample.language,
                order_reference=sample.order,
                certificate=sample.certificate,
            )
            path = Path(arguments.pdf or scratch) / f"certificate-{sample.name}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pdf)
            stem = arguments.images / f"certificate-{sample.name}"
            command = [
                pdftoppm,
                "-png",
                "-r",
                str(arguments.dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(stem),
            ]
            subprocess.run(command, check=True)  # noqa: S603 - a fixed program on files we wrote
            print(f"{stem}.png")


if __name__ == "__main__":
    main()
