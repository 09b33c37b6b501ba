"""The verifier from the PDF alone: a genuine copy passes; every forgery is refused, each with its reason."""

import asyncio
import io
import shutil
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import replace

import pytest
from pypdf import PdfReader

from broker import crypto
from broker.certificates import Seal
from broker.certificates import verify_pdf
from broker.certificates.document import MESSAGE_FILE
from broker.certificates.samples import PROVIDER
from broker.certificates.samples import Party
from broker.certificates.samples import epoc
from broker.client.verify import TrustedKey
from broker.client.verify import TrustList

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils import embed
    from pyhanko.pdf_utils.generic import NameObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def test_a_genuine_pdf_is_a_sealed_true_copy_of_its_message(render, signed, seal, trusted):
    verdict = verify_pdf(render(signed.epoc, "fr"), [seal.certificate], trusted)

    assert verdict.valid, verdict.line()
    assert verdict.line().startswith(f"VALID: sealed true copy of epoc {signed.certificate_id} signed by ")
    assert verdict.message is not None and verdict.message.body["language"] == "bg"
    assert verdict.seal_subject == "CN=e-evidence broker (test seal)"


def test_the_attached_message_is_the_jws_byte_for_byte(render, signed):
    reader = PdfReader(io.BytesIO(render(signed.answer, "de", signed.epoc)))

    assert reader.attachments[MESSAGE_FILE] == [signed.answer.encode("ascii")]
    assert reader.attachments["certificate.jws"] == [signed.epoc.encode("ascii")]


def flip_a_byte_under_the_seal(pdf: bytes, **_: object) -> bytes:
    tampered = bytearray(pdf)
    at = pdf.index(b"stream\n", len(pdf) // 3) + 20  # inside a content stream the seal covers
    tampered[at] ^= 0x01
    return bytes(tampered)


def swap_the_attached_message(pdf: bytes, *, other: str, **_: object) -> bytes:
    """Append a revision that replaces message.jws, as someone editing a sealed PDF would."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            if str(names[i]) == MESSAGE_FILE:
                data = embed.EmbeddedFileObject.from_file_data(writer, other.encode("ascii"))
                spec = embed.FileSpec(MESSAGE_FILE, file_name=MESSAGE_FILE, embedded_data=data)
                names[i + 1] = writer.add_object(spec.as_pdf_object())
        writer.update_container(names)
        out = io.BytesIO()
        writer.write(out)
    swapped = out.getvalue()
    assert PdfReader(io.BytesIO(swapped)).attachments[MESSAGE_FILE] == [other.encode("ascii")]
    return swapped


def no_seal(pdf: bytes, **_: object) -> bytes:
    return pdf[: pdf.index(b"%%EOF") + 5]  # the revision before the seal: the form without it


CASES: list[tuple[str, Callable[..., bytes], str]] = [
    ("tampered bytes", flip_a_byte_under_the_seal, "REFUSED: tampered"),
    (
        "swapped attachment",
        swap_the_attached_message,
        "REFUSED: changed after sealing: a later revision the seal does not cover "
        f"({MESSAGE_FILE} differs from the sealed copy)",
    ),
    ("no seal", no_seal, "REFUSED: the PDF carries no seal"),
    ("not a PDF", lambda pdf, **_: b"<html>not a pdf</html>", "REFUSED: not a PDF"),
]


@pytest.mark.parametrize(("case", "forge", "refusal"), CASES, ids=[case for case, _, _ in CASES])
def test_a_forged_pdf_is_refused_with_its_reason(render, signed, seal, trusted, case, forge, refusal):
    forged = forge(render(signed.epoc, "en"), other=signed.epoc_pr)

    verdict = verify_pdf(forged, [seal.certificate], trusted)

    assert not verdict.valid
    assert verdict.line().startswith(refusal), verdict.line()


def test_a_pdf_resealed_by_an_unknown_key_is_refused(signed, seal, trusted):
    impostor = Seal.generate("e-evidence broker (test seal)")  # the same name, another key
    from broker.certificates import certificate_pdf

    forged = certificate_pdf(signed.epoc_pr, impostor, language="en")

    verdict = verify_pdf(forged, [seal.certificate], trusted)

    assert verdict.line().startswith("REFUSED: sealed by an unknown key: CN=e-evidence broker (test seal)")
    assert "is not the broker's seal certificate" in verdict.reason


def test_an_older_seal_certificate_still_verifies_the_pdfs_it_sealed(render, signed, seal, trusted):
    newer = Seal.generate("e-evidence broker (next seal)")

    assert verify_pdf(render(signed.epoc, "en"), [newer.certificate, seal.certificate], trusted).valid


def stranger(_: TrustList, signers: dict[str, Party]) -> tuple[TrustList, Party]:
    """A message signed by a key the trust list does not hold."""
    return _, Party(signers["prosecutor"].organisation, crypto.generate_private_key("EdDSA"))


def revoked(trusted: TrustList, signers: dict[str, Party]) -> tuple[TrustList, Party]:
    """The prosecutor's key, revoked before the message was signed."""
    keys = [
        replace(key, revoked_at="2026-01-01T00:00:00Z") if key.kid == signers["prosecutor"].kid else key
        for key in trusted
    ]
    return TrustList(keys), signers["prosecutor"]


def for_another_organisation(trusted: TrustList, signers: dict[str, Party]) -> tuple[TrustList, Party]:
    """The key is known, but the message claims another sender."""
    return trusted, Party(signers["police"].organisation, signers["prosecutor"].key)


MESSAGE_CASES = [
    ("unknown key", stranger, "which is not in the trust list"),
    ("revoked key", revoked, "was revoked (2026-01-01T00:00:00Z)"),
    ("key of another sender", for_another_organisation, "not to"),
]


@pytest.mark.parametrize(("case", "setup", "reason"), MESSAGE_CASES, ids=[c for c, _, _ in MESSAGE_CASES])
def test_a_sealed_pdf_whose_message_does_not_verify_is_refused(
    render, seal, trusted, signers, case, setup, reason
):
    trust, sender = setup(trusted, signers)
    pdf = render(sender.sign("epoc", epoc(), PROVIDER), "en")

    verdict = verify_pdf(pdf, [seal.certificate], trust)

    assert verdict.line().startswith("REFUSED: the signed message is refused: "), verdict.line()
    assert reason in verdict.reason


def test_a_message_whose_body_fails_its_schema_is_refused(render, seal, trusted, signers):
    body = {**epoc(), "colour": "blue"}  # signed by a trusted key, but not an EPOC the schema accepts
    pdf = render(signers["prosecutor"].sign("epoc", body, PROVIDER), "en")

    verdict = verify_pdf(pdf, [seal.certificate], trusted)

    assert verdict.line().startswith(
        "REFUSED: the signed message is refused: the body does not satisfy the epoc schema"
    )
    assert "colour" in verdict.reason


def test_the_certificate_attached_to_a_follow_up_is_verified_too(render, signed, seal, signers):
    only_the_provider = TrustList(
        [
            TrustedKey(
                signers["provider"].kid,
                crypto.public_jwk(signers["provider"].key),
                signers["provider"].organisation,
            )
        ]
    )

    verdict = verify_pdf(render(signed.answer, "en", signed.epoc), [seal.certificate], only_the_provider)

    assert verdict.line().startswith("REFUSED: the attached certificate is refused: signed with key")


def test_the_seal_is_pades_over_the_whole_file(render, signed):
    reader = PdfReader(io.BytesIO(render(signed.epoc, "en")))
    fields = reader.get_fields() or {}
    seal_value = fields["BrokerSeal"]["/V"]

    assert seal_value["/SubFilter"] == NameObject("/ETSI.CAdES.detached")
    assert seal_value["/Filter"] == "/Adobe.PPKLite"


def test_a_pdf_viewer_of_its_own_sees_a_valid_seal_over_the_whole_file(render, signed, tmp_path):
    """poppler's pdfsig, the signature check of Evince and Okular: not our code, nor pyHanko's."""
    assert shutil.which("pdfsig"), (
        "pdfsig (poppler-utils) checks the seal as a viewer does; .ci/run installs it"
    )
    genuine, tampered = tmp_path / "genuine.pdf", tmp_path / "tampered.pdf"
    genuine.write_bytes(render(signed.epoc, "en"))
    tampered.write_bytes(flip_a_byte_under_the_seal(genuine.read_bytes()))

    seen = subprocess.run(
        ["pdfsig", "-nocert", str(genuine)], capture_output=True, text=True, check=True
    ).stdout
    spoilt = subprocess.run(["pdfsig", "-nocert", str(tampered)], capture_output=True, text=True).stdout

    assert "Signature Field Name: BrokerSeal" in seen
    assert "Signature Type: ETSI.CAdES.detached" in seen
    assert "Total document signed" in seen
    assert "Signature Validation: Signature is Valid." in seen
    assert "Signature Validation: Digest Mismatch." in spoilt


def test_sealing_and_verifying_work_where_an_event_loop_is_already_running(render, signed, seal, trusted):
    """A host that runs the app inside its own event loop (or a browser driver in the same thread).

    pyHanko's synchronous wrappers call asyncio.run, which refuses to start under a running loop;
    the broker runs pyHanko's coroutines itself (broker.certificates.aio).
    """

    async def inside_a_loop() -> bool:
        return verify_pdf(render(signed.epoc, "en"), [seal.certificate], trusted).valid

    assert asyncio.run(inside_a_loop())
