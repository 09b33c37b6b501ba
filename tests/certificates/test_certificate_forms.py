# ruff: noqa: RUF001 - Greek and Cyrillic free text is what some of these tests print and read back
"""The PDF read as a person reads it: every field of each form, in the language asked for, with its value.

Text is extracted from the sealed PDF with pypdf and compared without whitespace, since a long value
wraps inside its box wherever the column ends.
"""

import hashlib
import io
import json
import shutil
import subprocess
from typing import Any

import pytest
from pypdf import PdfReader

from broker.certificates.catalogue import catalogue
from broker.certificates.followups import ANNEX_III
from broker.certificates.followups import form_for
from broker.certificates.forms import Source
from broker.certificates.forms import Table
from broker.certificates.forms import Text
from broker.certificates.forms import Ticks
from broker.certificates.render import qr_payload
from broker.certificates.render import sha256_hex
from broker.certificates.samples import PROSECUTOR
from broker.certificates.samples import PROVIDER
from broker.certificates.samples import epoc
from broker.certificates.samples import samples
from broker.wire import envelope

LANGUAGES = ("en", "fr", "de")


def squeezed(text: str) -> str:
    return "".join(text.split())


def extracted(pdf: bytes) -> str:
    return squeezed(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))


def expected_lines(message: str, language: str, certificate: str | None = None) -> list[str]:
    """Every label and value a reader must find: section titles, field labels, values, ticked boxes."""
    opened = envelope.read_unverified(message)
    quoted = envelope.read_unverified(certificate) if certificate and certificate != message else None
    source = Source(opened, quoted, "order")
    form = form_for(source)
    words = catalogue(language)
    lines = [words.label(f"form.{form.key}.title")]
    for section, fields in form.numbered():
        lines.append(
            words.label(
                "ui.section", letter=section.letter, title=words.label(f"section.{form.key}.{section.letter}")
            )
        )
        for number, field in fields:
            lines += [number, words.label(field.label)]
            value = field.value(source)
            if isinstance(value, Ticks):
                lines += [f"{'■' if ticked else '□'}{words.label(key)}" for key, ticked in value.options]
            elif isinstance(value, Table):
                lines += [words.label(key) for key in value.columns]
                lines += [
                    words.label(cell.key) if cell.key else cell.text for row in value.rows for cell in row
                ]
            elif isinstance(value, Text):
                lines.append(words.label(value.key) if value.key else value.text)
    return lines


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["epoc", "epoc_pr", "answer"])
def test_every_field_of_the_form_is_in_the_pdf_in_the_language_asked_for(render, signed, kind, language):
    message = getattr(signed, kind)
    certificate = signed.epoc if kind == "answer" else None
    text = extracted(render(message, language, certificate))

    missing = [line for line in expected_lines(message, language, certificate) if squeezed(line) not in text]

    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["annex-v-en", "annex-vi-de", "answer-fr", "evidence-manifest-en"])
def test_every_field_of_the_follow_up_forms_is_in_the_pdf_too(render, signers, name, language):
    [example] = [each for each in samples(signers) if each.name == name]
    text = extracted(render(example.message, language, example.certificate))

    missing = [
        line
        for line in expected_lines(example.message, language, example.certificate)
        if squeezed(line) not in text
    ]

    assert missing == []


def leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for name, each in value.items() for leaf in leaves(each, f"{path}{name}.")]
    if isinstance(value, list):
        return [leaf for each in value for leaf in leaves(each, path)]
    return [(path.rstrip("."), value)]


# Members whose value the form shows as a ticked box or a translated label, not as the code itself.
SHOWN_AS_LABELS = {
    "instrument": "instrument",
    "issuing_authority.authority_type": "authority_type",
    "validating_authority.authority_type": "authority_type",
    "addressee.addressee_type": "addressee_type",
    "data_categories": "data_category",
    "purpose": "purpose",
    "user_information.decision": "user_information",
    "subsequent_request": "subsequent_request",
    "targets.type": "target_type",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["epoc", "epoc_pr"])
def test_every_member_of_the_signed_certificate_is_shown(render, signed, kind, language):
    message = getattr(signed, kind)
    body = envelope.read_unverified(message)["body"]
    words = catalogue(language)
    text = extracted(render(message, language))

    for path, value in leaves(body):
        if path in SHOWN_AS_LABELS:
            shown = words.label(f"value.{SHOWN_AS_LABELS[path]}.{value}")
            assert squeezed(shown) in text, (path, shown)
        elif path == "language":
            assert squeezed(words.label(f"language.{value}")) in text, (path, value)
        elif isinstance(value, bool) or value is None:
            continue  # a yes/no pair of boxes, checked with the field labels above
        else:
            assert squeezed(str(value)) in text, (path, value)


@pytest.mark.parametrize(
    ("language", "sure"),
    [
        (
            "en",
            [
                "SECTION A: Issuing/validating authority",
                "■ Designated establishment",
                "□ Legal representative",
            ],
        ),
        (
            "fr",
            [
                "SECTION A : Autorité d'émission/de validation",
                "■ Établissement désigné",
                "Langue du présent formulaire",
            ],
        ),
        (
            "de",
            [
                "ABSCHNITT A: Anordnungsbehörde/Validierungsbehörde",
                "■ Benannte Niederlassung",
                "Anordnungsstaat",
            ],
        ),
    ],
)
def test_a_reader_finds_the_forms_own_words(render, signed, language, sure):
    text = extracted(render(signed.epoc, language))

    assert [line for line in sure if squeezed(line) not in text] == []
    assert squeezed("Софийска районна прокуратура") in text  # Cyrillic, as the issuer wrote it


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "as written by the issuing authority, in Bulgarian; not translated."),
        ("fr", "tel que rédigé par l'autorité d'émission, en bulgare ; non traduit."),
        ("de", "so, wie die Anordnungsbehörde ihn verfasst hat, auf Bulgarisch; nicht übersetzt."),
    ],
)
def test_free_text_stays_as_written_and_says_so(render, signed, language, note):
    text = extracted(render(signed.epoc, language))

    assert squeezed(note) in text
    assert squeezed("Измама чрез фалшиви обяви за отдаване под наем на жилища.") in text


def test_the_answer_quotes_the_certificate_and_is_laid_out_on_annex_iii(render, signed):
    text = extracted(render(signed.answer, "en", signed.epoc))

    assert form_for(Source(envelope.read_unverified(signed.answer))) is ANNEX_III
    for line in [
        "Annex III to Regulation (EU) 2023/1543",
        "■ It does not concern data stored by or on behalf of the service provider at the time of receipt",
        "■ a European Production Order Certificate (EPOC)",
        "ДП 1234/2026",  # the issuing authority's file number, from the certificate
        "as written by the addressee",
    ]:
        assert squeezed(line) in text, line


@pytest.mark.parametrize(
    ("message_type", "body", "title", "annex"),
    [
        (
            "production-request-confirmation",
            {"request_type": "eio", "reference": "EIO-2026-77", "issued_on": "2026-12-01"},
            "CONFIRMATION OF THE ISSUANCE OF A REQUEST FOR PRODUCTION",
            "Annex V to Regulation (EU) 2023/1543",
        ),
        (
            "preservation-extension",
            {"reason": "The EIO is being translated."},
            "EXTENSION OF THE PRESERVATION OF ELECTRONIC EVIDENCE",
            "Annex VI to Regulation (EU) 2023/1543",
        ),
        (
            "evidence-manifest",
            {
                "data_categories": ["subscriber"],
                "time_range": {"start": "2026-09-01T00:00:00Z", "end": "2026-10-01T00:00:00Z"},
                "recipient": "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef",
                "files": [
                    {
                        "name": "subscriber.csv",
                        "size": 120,
                        "sha256": "a" * 64,
                        "package": {
                            "id": "0b8f5c3e-2d1a-4f6e-9c7b-8a5d4e3f2c1b",
                            "size": 400,
                            "sha256": "b" * 64,
                        },
                    }
                ],
            },
            "EVIDENCE MANIFEST: DATA PRODUCED UNDER AN EPOC",
            "Form of the e-evidence broker",
        ),
        (
            "withdrawal",
            {"reason": "The suspect was arrested.", "delete_received_data": True},
            "SIGNED MESSAGE ABOUT AN EPOC/EPOC-PR",
            "Form of the e-evidence broker",
        ),
    ],
)
def test_every_other_wire_document_gets_its_form(render, signers, signed, message_type, body, title, annex):
    sender = signers["provider" if message_type == "evidence-manifest" else "prosecutor"]
    recipient = PROSECUTOR if message_type == "evidence-manifest" else PROVIDER
    message = sender.sign(message_type, body, recipient, in_reply_to=signed.certificate_id)

    text = extracted(render(message, "en", signed.epoc))

    enumerated = {"eio", "subscriber"}  # shown as their ticked boxes, checked below
    shown = [str(value) for _, value in leaves(body) if isinstance(value, str) and value not in enumerated]
    for line in [title, annex, *shown]:
        assert squeezed(line) in text, line
    if message_type == "production-request-confirmation":
        assert squeezed("■ European Investigation Order") in text
    if message_type == "evidence-manifest":
        assert squeezed("■ Subscriber data") in text


def test_the_qr_code_carries_the_hash_of_the_signed_message_and_the_order(
    render, signed, order_reference, tmp_path
):
    """The QR code as a phone would read it: the page drawn as an image, decoded by zbar."""
    assert shutil.which("pdftoppm") and shutil.which("zbarimg"), (
        "pdftoppm (poppler-utils) and zbarimg (zbar-tools) read the page as a reader would; .ci/run installs them"
    )
    pdf = render(signed.answer, "fr", signed.epoc)
    (tmp_path / "answer.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "answer.pdf", "page"],
        cwd=tmp_path,
        check=True,
    )
    [image] = tmp_path.glob("page*.png")

    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True
    )

    attached = PdfReader(io.BytesIO(pdf)).attachments["message.jws"][0]
    answer_id = envelope.read_unverified(signed.answer)["id"]
    assert decoded.stdout.strip() == (
        f"EEVIDENCE;sha256={hashlib.sha256(attached).hexdigest()};order={order_reference};message={answer_id}"
    )
    assert decoded.stdout.strip() == qr_payload(signed.answer, order_reference, answer_id)


GREEK_EPOC = {
    "issuing_authority.name": "Εισαγγελία Πρωτοδικών Αθηνών",
    "issuing_authority.file_number": "ΑΒΜ Ε2026/4417",
    "offence.description": "Απάτη μέσω ψεύτικων αγγελιών ενοικίασης κατοικιών· θύματα στη Θεσσαλονίκη.",
    "case_summary": "Σαράντα θύματα κατέβαλαν προκαταβολές σε ψεύτικες αγγελίες.",
    "necessity_and_proportionality": "Ο λογαριασμός είναι ο μόνος σύνδεσμος μεταξύ θυμάτων και υπόπτου.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_greek_and_cyrillic_text_is_printed_and_extracted_as_written(render, signers, language):
    body = epoc()
    for path, value in GREEK_EPOC.items():
        owner, _, member = path.rpartition(".")
        (body[owner] if owner else body)[member] = value
    body["offence"]["legal_provisions"] = ["Ποινικός Κώδικας, άρθρο 386", "Наказателен кодекс, чл. 209"]
    body["language"] = "el"
    message = signers["prosecutor"].sign("epoc", body, PROVIDER)

    text = extracted(render(message, language))

    for value in [*GREEK_EPOC.values(), "Ποινικός Κώδικας, άρθρο 386", "Наказателен кодекс, чл. 209"]:
        assert squeezed(value) in text, value
    words = catalogue(language)
    note = words.label(
        "ui.free_text_note",
        author=words.label("ui.author.issuing_authority"),
        language=words.label("language.el"),
    )
    assert squeezed(note) in text


def test_the_pdf_says_which_message_it_copies_and_how_to_check_it(render, signed):
    text = extracted(render(signed.epoc, "en"))

    assert squeezed(sha256_hex(signed.epoc)) in text
    assert squeezed("broker certificate verify FILE.pdf") in text
    assert squeezed(json.dumps(signed.certificate_id).strip('"')) in text
