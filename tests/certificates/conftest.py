"""Fixtures of the certificate tests: a seal made for the run, the example parties, their signed messages."""

from dataclasses import dataclass
from typing import Any

import pytest

from broker.certificates import Seal
from broker.certificates import certificate_pdf
from broker.certificates.samples import PROSECUTOR
from broker.certificates.samples import PROVIDER
from broker.certificates.samples import Party
from broker.certificates.samples import epoc
from broker.certificates.samples import epoc_pr
from broker.certificates.samples import not_executed
from broker.certificates.samples import parties
from broker.certificates.samples import trust_list
from broker.client.verify import TrustList
from broker.wire import envelope

ORDER = "6a1f3c2e-9b8d-4e7f-a6c5-0d1e2f3a4b5c"


@pytest.fixture(scope="session")
def signers() -> dict[str, Party]:
    return parties()


@pytest.fixture(scope="session")
def trusted(signers: dict[str, Party]) -> TrustList:
    return trust_list(signers)


@dataclass(frozen=True)
class Signed:
    """The example order's signed messages."""

    epoc: str
    epoc_pr: str
    answer: str

    @property
    def certificate_id(self) -> str:
        return str(envelope.read_unverified(self.epoc)["id"])


@pytest.fixture(scope="session")
def signed(signers: dict[str, Party]) -> Signed:
    production = signers["prosecutor"].sign("epoc", epoc(), PROVIDER)
    preserve = signers["police"].sign("epoc-pr", epoc_pr(), PROVIDER)
    reply_to = str(envelope.read_unverified(production)["id"])
    answer = signers["provider"].sign("response", not_executed(), PROSECUTOR, in_reply_to=reply_to)
    return Signed(production, preserve, answer)


@pytest.fixture(scope="session")
def order_reference() -> str:
    """The order every PDF the `render` fixture makes refers to."""
    return ORDER


@pytest.fixture(scope="session")
def render(seal: Seal) -> Any:
    """render(message, language, certificate=None) -> sealed PDF bytes, for the example order."""

    def make(message: str, language: str = "en", certificate: str | None = None) -> bytes:
        return certificate_pdf(
            message, seal, language=language, order_reference=ORDER, certificate=certificate
        )

    return make
