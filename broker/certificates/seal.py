"""The broker's seal: a PAdES signature (pyHanko) over the whole PDF, with an ECDSA P-256 key and its certificate.

Why P-256 and not the broker's Ed25519 log key: a seal is only useful if the reader's own PDF viewer
checks it, and Adobe Acrobat/Reader validates ECDSA P-256 (and RSA) signatures but not Ed25519
(ISO 32002 added EdDSA to PDF in 2022; viewers have not followed). The seal key is therefore a key
of its own, read from BROKER_SEAL_KEY_FILE with its X.509 certificate from BROKER_SEAL_CERT_FILE: a
certificate from a qualified trust service provider where the deployment has one, or the
self-signed one `broker certificate seal-key` makes. A development broker without them seals with a
self-signed pair it makes once in its instance folder (`Seal.kept_in`), so PDFs work on a bare
machine and still verify after a restart; tests generate theirs at run time. No private key is ever
committed.

The signature is PAdES B-B (ETSI EN 319 142-1; /SubFilter ETSI.CAdES.detached) over every byte of
the document, so changing any byte, or appending a revision (a swapped attachment), breaks it.
"""

import io
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# pyHanko imports DSA from cryptography, which warns that DSA is deprecated; the seal never uses DSA.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign import signers
    from pyhanko.stamp import TextStampStyle
    from pyhanko_certvalidator.registry import SimpleCertificateStore

from broker.certificates import aio
from broker.certificates.render import SEAL_BOX

FIELD_NAME = "BrokerSeal"
KEY_FILE, CERTIFICATE_FILE = "seal-key.pem", "seal-cert.pem"


class SealUnusable(ValueError):
    """The seal key or certificate cannot seal: unreadable, wrong algorithm, or not a pair."""


@dataclass(frozen=True)
class Attachment:
    """A file carried inside the PDF: the signed message, byte for byte."""

    name: str
    data: bytes
    description: str
    media_type: str = "application/jose"


@dataclass(frozen=True)
class Seal:
    """The broker's seal key and the certificate that names it."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def from_pem(cls, key_pem: bytes, certificate_pem: bytes) -> "Seal":
        """A seal from PEM bytes; SealUnusable says what is wrong with them."""
        try:
            key = serialization.load_pem_private_key(key_pem, password=None)
        except (ValueError, TypeError) as error:
            raise SealUnusable(f"the seal key is not an unencrypted PEM private key: {error}") from error
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise SealUnusable("the seal key must be an ECDSA P-256 key (PDF viewers check those seals)")
        try:
            certificate = x509.load_pem_x509_certificate(certificate_pem)
        except ValueError as error:
            raise SealUnusable(f"the seal certificate is not a PEM X.509 certificate: {error}") from error
        if certificate.public_key() != key.public_key():
            raise SealUnusable("the seal certificate names another key than the seal key")
        return cls(key, certificate)

    @classmethod
    def from_files(cls, key_file: str | Path, certificate_file: str | Path) -> "Seal":
        """A seal from BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE."""
        try:
            key_pem, certificate_pem = Path(key_file).read_bytes(), Path(certificate_file).read_bytes()
        except OSError as error:
            raise SealUnusable(f"cannot read the seal key or certificate: {error}") from error
        return cls.from_pem(key_pem, certificate_pem)

    @classmethod
    def generate(cls, name: str, *, days: int = 825, now: datetime | None = None) -> "Seal":
        """A new P-256 key and a self-signed certificate for it, for a deployment without a CA-issued one."""
        key = ec.generate_private_key(ec.SECP256R1())
        return cls(key, self_signed(key, name, days=days, now=now))

    @classmethod
    def kept_in(cls, folder: Path, name: str) -> "Seal":
        """The seal kept in `folder` (seal-key.pem, seal-cert.pem), made there on first use.

        Several server processes may ask at once: the pair is written into a private temporary
        folder that is then renamed into place, so every process ends up with the same pair, never
        half of one.
        """
        if not (folder / KEY_FILE).exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            made = Path(tempfile.mkdtemp(prefix=".seal-", dir=folder.parent))  # mode 700
            seal = cls.generate(name)
            (made / CERTIFICATE_FILE).write_bytes(seal.certificate_pem)
            descriptor = os.open(made / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(seal.key_pem)
            try:
                made.rename(folder)
            except OSError:  # another process was first: use its pair
                shutil.rmtree(made, ignore_errors=True)
        return cls.from_files(folder / KEY_FILE, folder / CERTIFICATE_FILE)

    def check_valid(self, now: datetime | None = None) -> None:
        """SealUnusable unless the certificate is valid now: a PDF sealed otherwise would be refused.

        Now is the wall clock, not the broker's (a test's or the demo's may be moved): pyHanko
        writes the wall-clock time into the seal, and verifiers check the certificate at it.
        """
        now = now or datetime.now(UTC)
        if not self.certificate.not_valid_before_utc <= now <= self.certificate.not_valid_after_utc:
            raise SealUnusable(
                f"the seal certificate {self.subject} is valid from {self.certificate.not_valid_before_utc} "
                f"to {self.certificate.not_valid_after_utc} only"
            )

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    def seal(self, pdf: bytes, attachments: list[Attachment], *, reason: str, stamp: str) -> bytes:
        """Attach the files and sign the whole document in one incremental revision; the sealed PDF."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            for each in attachments:
                data = embed.EmbeddedFileObject.from_file_data(writer, each.data, mime_type=each.media_type)
                spec = embed.FileSpec(
                    each.name, file_name=each.name, embedded_data=data, description=each.description
                )
                embed.embed_file(writer, spec)
            signer = signers.SimpleSigner(
                asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER)),
                asn1_keys.PrivateKeyInfo.load(
                    self.private_key.private_bytes(
                        serialization.Encoding.DER,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    )
                ),
                SimpleCertificateStore(),  # type: ignore[no-untyped-call]
            )
            metadata = signers.PdfSignatureMetadata(
                field_name=FIELD_NAME,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
                reason=reason,
                name=self.certificate.subject.rfc4514_string(),
            )
            pdf_signer = signers.PdfSigner(
                metadata,
                signer,
                stamp_style=TextStampStyle(stamp_text=stamp + "\n%(ts)s", border_width=1),
                new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=0, box=SEAL_BOX),
            )
            out = aio.run(pdf_signer.async_sign_pdf(writer))
        return bytes(out.getvalue())


def self_signed(
    key: ec.EllipticCurvePrivateKey, name: str, *, days: int, now: datetime | None = None
) -> x509.Certificate:
    """A self-signed certificate for a seal key: digital signature and non-repudiation, no CA."""
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
