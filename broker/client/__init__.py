"""The parties' client: what an issuing authority's, a provider's or an enforcing authority's own
systems use to talk to a broker, instead of importing the broker's internals.

    from broker.client import BrokerClient, signer_from_reference

    client = BrokerClient("https://broker.example.eu", token)
    signer = signer_from_reference("pkcs11:token=parquet;object=signing-2026?pin-source=/run/pin")
    order = client.draft_order({"order_type": "epoc", "certificate": certificate})
    client.sign_and_issue(order["id"], signer)

It depends only on `broker.crypto`, `broker.wire` (pure: no Flask, no database), `requests`, `pyrage`
(for evidence) and the standard library; a test holds it to that. docs/client.md is the guide.

Compatibility promise. `CLIENT_API_VERSION` follows semantic versioning over the names in
`__all__` below, their parameters and what they return and raise: a minor version only adds
(a method, a keyword argument with a default, a member of a returned document, an exception
subclass); anything that breaks a caller who used only these names needs a new major version. The
submodules' other names (`broker.client.http.Connection`, `_`-prefixed functions, module constants)
are not covered and may change. The documents the methods return are the broker's JSON, whose
contract is the HTTP API v1 (docs/api.md, schemas/).
"""

from broker.client.api import BrokerClient
from broker.client.errors import ClientError
from broker.client.errors import ConnectionFailed
from broker.client.errors import EvidenceError
from broker.client.errors import ProblemError
from broker.client.errors import VerificationError
from broker.client.http import API as HTTP_API
from broker.client.messages import certificate_message_id
from broker.client.messages import message_for_order
from broker.client.messages import recipient_for
from broker.client.messages import seal_message
from broker.client.messages import sign_certificate
from broker.client.verify import TrustedKey
from broker.client.verify import TrustList
from broker.client.verify import VerifiedMessage
from broker.client.verify import verify_message
from broker.crypto.signers import KeySigner
from broker.crypto.signers import Signer
from broker.crypto.signers import SignerError
from broker.crypto.signers import signer_from_reference

CLIENT_API_VERSION = "1.0.0"
__version__ = CLIENT_API_VERSION
# HTTP_API is the API this client speaks ("/api/v1"); another one would be another major version.

__all__ = [
    "CLIENT_API_VERSION",
    "HTTP_API",
    "BrokerClient",
    "ClientError",
    "ConnectionFailed",
    "EvidenceError",
    "KeySigner",
    "ProblemError",
    "Signer",
    "SignerError",
    "TrustList",
    "TrustedKey",
    "VerificationError",
    "VerifiedMessage",
    "__version__",
    "certificate_message_id",
    "message_for_order",
    "recipient_for",
    "seal_message",
    "sign_certificate",
    "signer_from_reference",
    "verify_message",
]
