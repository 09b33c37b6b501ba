"""`broker signer show`: the public half of a signing key wherever it lives, to register it.

An HSM or KMS key never leaves its device, so the operator needs its public JWK from the signer
itself: `broker signer show --signer pkcs11:… | jq .jwk | broker key register --org … --jwk -`.
"""

import click

from broker.cli.client import fails_cleanly
from broker.cli.client import open_signer
from broker.cli.client import signing
from broker.cli.client import write_json


@click.group()
def signer() -> None:
    """Inspect signing keys named by a reference (file, pkcs11:, awskms:)."""


@signer.command()
@signing()
@fails_cleanly
def show(signer_reference: str, kid: str | None) -> None:
    """Print the signer's {"kid", "alg", "jwk"}: what `broker key register --jwk` takes. Signs nothing."""
    found = open_signer(signer_reference, kid)
    if found.public_jwk is None:
        raise click.ClickException("this signer cannot tell its public key (no public object on the token)")
    write_json({"kid": found.kid, "alg": found.alg, "jwk": found.public_jwk})
