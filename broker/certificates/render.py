"""Lay a form out as PDF pages with reportlab's platypus: title, QR code, the signed message's facts, sections.

Every form goes through the same layout, so what a reader learns on one (free text in italics with
its "as written" note, ■ for a ticked box and □ for an empty one, numbered fields) holds on all. The
fonts are DejaVu Serif, shipped with the package (fonts/, Bitstream Vera licence), which covers the
Latin, Greek and Cyrillic letters of every official language of the Union. The result is unsealed;
broker.certificates.document attaches the signed message and seals it.
"""

import functools
import hashlib
import io
import itertools
from importlib import resources
from typing import Any
from typing import cast
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable
from reportlab.platypus import KeepTogether
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table as Grid
from reportlab.platypus import TableStyle

from broker.certificates.catalogue import Catalogue
from broker.certificates.forms import CERTIFICATE_TYPES
from broker.certificates.forms import Form
from broker.certificates.forms import Source
from broker.certificates.forms import Table
from broker.certificates.forms import Ticks
from broker.certificates.forms import Value
from broker.certificates.forms import at

FONT = "CertificateSerif"
TICKED, UNTICKED = "■", "□"
MARGIN = 15 * mm
BOTTOM = 32 * mm  # room for the footer and, on the first page, the seal's visible stamp
WIDTH = A4[0] - 2 * MARGIN
# Where document.py puts the visible seal on the first page (x1, y1, x2, y2 in points).
SEAL_BOX = (int(A4[0] - MARGIN - 72 * mm), int(6 * mm), int(A4[0] - MARGIN), int(26 * mm))
GREY = colors.Color(0.9, 0.9, 0.9)
# Messages only an enforcing authority sends: their free text is that authority's.
ENFORCING_TYPES = frozenset({"enforcing-review", "enforcement-decision"})


@functools.cache
def _fonts() -> None:
    """Register the shipped DejaVu Serif faces once per process (parsing a TTF costs tens of ms)."""
    folder = resources.files("broker.certificates").joinpath("fonts")
    faces = {"": "DejaVuSerif.ttf", "-Bold": "DejaVuSerif-Bold.ttf", "-Italic": "DejaVuSerif-Italic.ttf"}
    for suffix, name in faces.items():
        with resources.as_file(folder.joinpath(name)) as path:
            pdfmetrics.registerFont(TTFont(f"{FONT}{suffix}", str(path)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-Bold"
    )


class QrCode(Flowable):
    """A QR code drawn as one vector path: one rectangle per run of dark modules, encoded once.

    reportlab's QrCodeWidget encodes twice and draws every run as a shape of its own, which took half
    the time of a whole form; the encoder is the same (reportlab.graphics.barcode.qrencoder).
    """

    BORDER = 2  # modules of quiet zone on each side

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(value)
        code.make()
        self.modules: list[list[bool]] = [[bool(cell) for cell in row] for row in code.modules]
        self.value = value
        self.width = self.height = size

    def draw(self) -> None:
        count = len(self.modules)
        box = self.width / (count + 2 * self.BORDER)
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            c = 0
            for dark, run in itertools.groupby(row):
                length = len(list(run))
                if dark:
                    y = self.height - (r + self.BORDER + 1) * box
                    path.rect((c + self.BORDER) * box, y, length * box, box)
                c += length
        self.canv.drawPath(path, stroke=0, fill=1)


def _style(name: str, size: float = 8.5, *, font: str = FONT, **extra: Any) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.25, alignment=TA_LEFT, **extra)


STYLES = {
    "title": _style("title", 12, font=f"{FONT}-Bold", spaceAfter=2),
    "annex": _style("annex", 8.5, font=f"{FONT}-Italic"),
    "intro": _style("intro", 7.5, textColor=colors.Color(0.25, 0.25, 0.25)),
    "section": _style("section", 9, font=f"{FONT}-Bold"),
    "label": _style("label", 8),
    "value": _style("value", 8.5),
    "free": _style("free", 8.5, font=f"{FONT}-Italic"),
    "code": _style("code", 7.5, wordWrap="CJK"),
    "note": _style("note", 6.5, font=f"{FONT}-Italic", textColor=colors.Color(0.35, 0.35, 0.35)),
    "small": _style("small", 6.5),
}


def _text(value: str) -> str:
    """Text for a Paragraph: reportlab reads markup, so what a party wrote is escaped, lines kept."""
    return escape(value).replace("\n", "<br/>")


def sha256_hex(jws: str) -> str:
    return hashlib.sha256(jws.encode("ascii")).hexdigest()


def qr_payload(jws: str, order_reference: str, message_id: str) -> str:
    """What the QR code says: enough to find the message and check it is this one, without the broker."""
    return f"EEVIDENCE;sha256={sha256_hex(jws)};order={order_reference};message={message_id}"


def author(source: Source) -> str:
    """Which side wrote the free text of this message, as a catalogue key under `ui.author.`."""
    sender = at(source.envelope, "sender.organisation")
    certificate = source.certificate_body
    if sender is not None and sender == at(certificate, "issuing_authority.organisation"):
        return "issuing_authority"
    if sender is not None and sender == at(certificate, "addressee.provider.organisation"):
        return "addressee"
    if source.envelope.get("type") in ENFORCING_TYPES:
        return "enforcing_authority"
    return "sender"


def _free_note(source: Source, words: Catalogue) -> str:
    who = words.label(f"ui.author.{author(source)}")
    language = source.body.get("language")
    if (
        source.envelope.get("type") not in CERTIFICATE_TYPES
        and source.envelope.get("type") != "enforcement-request"
    ):
        language = None
    if isinstance(language, str) and f"language.{language}" in words.reference:
        return words.label("ui.free_text_note", author=who, language=words.label(f"language.{language}"))
    return words.label("ui.free_text_note_unknown", author=who)


def _cell(value: Value, words: Catalogue, note: str) -> Flowable | list[Flowable]:
    if isinstance(value, Ticks):
        lines = [
            f"{TICKED if ticked else UNTICKED} {_text(words.label(key))}" for key, ticked in value.options
        ]
        return Paragraph("<br/>".join(lines), STYLES["value"])
    if isinstance(value, Table):
        header = [Paragraph(_text(words.label(key)), STYLES["small"]) for key in value.columns]
        rows = [[_cell(each, words, note) for each in row] for row in value.rows]
        grid = Grid([header, *rows], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), GREY),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return grid
    if value.free:
        return [Paragraph(_text(value.text), STYLES["free"]), Paragraph(_text(note), STYLES["note"])]
    style = STYLES["code"] if value.code else STYLES["value"]
    shown = words.label(value.key) if value.key and value.key in words.reference else value.text
    return Paragraph(_text(shown), style)


def _grid(rows: list[list[Any]], widths: list[float], *, shade_first: bool = False) -> Grid:
    grid = Grid(rows, colWidths=widths)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.55, 0.55, 0.55)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if shade_first:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), GREY))
    grid.setStyle(TableStyle(commands))
    return grid


def _header(source: Source, form: Form, words: Catalogue, jws: str, language: str) -> list[Flowable]:
    message_id = str(source.envelope.get("id", ""))
    drawing = QrCode(qr_payload(jws, source.order_reference, message_id), 30 * mm)
    annex = words.label("ui.annex", annex=form.annex) if form.annex else words.label("ui.broker_form")
    heading = [
        Paragraph(_text(annex), STYLES["annex"]),
        Paragraph(_text(words.label(f"form.{form.key}.title")), STYLES["title"]),
        Paragraph(_text(words.label(f"form.{form.key}.intro")), STYLES["intro"]),
    ]
    top_grid = Grid(
        [[heading, [drawing, Paragraph(_text(words.label("ui.qr_caption")), STYLES["small"])]]],
        colWidths=[WIDTH - 34 * mm, 34 * mm],
    )
    top_grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    facts = [
        ("ui.message_type", str(source.envelope.get("type", "")), False),
        ("ui.message_id", message_id, True),
        ("ui.in_reply_to", str(source.envelope.get("in_reply_to") or "—"), True),
        ("ui.issued_at", str(source.envelope.get("issued_at", "")), False),
        ("ui.sender", str(at(source.envelope, "sender.organisation") or ""), True),
        ("ui.sender_key", str(at(source.envelope, "sender.kid") or ""), True),
        ("ui.recipient", str(at(source.envelope, "recipient.organisation") or ""), True),
        ("ui.order", source.order_reference or "—", True),
        ("ui.jws_sha256", sha256_hex(jws), True),
        ("ui.form_language", words.label(f"language.{language}"), False),
    ]
    rows: list[list[Any]] = [[Paragraph(_text(words.label("ui.message")), STYLES["section"]), ""]]
    rows += [
        [
            Paragraph(_text(words.label(key)), STYLES["label"]),
            Paragraph(_text(value), STYLES["code" if code else "value"]),
        ]
        for key, value, code in facts
    ]
    grid = _grid(rows, [62 * mm, WIDTH - 62 * mm], shade_first=True)
    grid.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0))]))
    notes = [Paragraph(_text(_free_note(source, words)), STYLES["note"])]
    if not words.complete:
        notes.append(Paragraph(_text(words.label("ui.fallback_note")), STYLES["note"]))
    return [top_grid, Spacer(0, 3 * mm), grid, Spacer(0, 1.5 * mm), *notes, Spacer(0, 3 * mm)]


def _sections(source: Source, form: Form, words: Catalogue) -> list[Flowable]:
    note = _free_note(source, words)
    story: list[Flowable] = []
    for section, fields in form.numbered():
        title = words.label(
            "ui.section", letter=section.letter, title=words.label(f"section.{form.key}.{section.letter}")
        )
        rows: list[list[Any]] = [[Paragraph(_text(title), STYLES["section"]), "", ""]]
        for number, field in fields:
            label = words.label_or(field.label, field.label.removeprefix("member."))
            rows.append(
                [
                    Paragraph(number, STYLES["label"]),
                    Paragraph(_text(label), STYLES["label"]),
                    _cell(field.value(source), words, note),
                ]
            )
        grid = _grid(rows, [11 * mm, 60 * mm, WIDTH - 71 * mm], shade_first=True)
        grid.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0))]))
        # A short section stays on one page with its heading; a long one may break between fields.
        story.append(KeepTogether([grid]) if len(rows) < 8 else grid)
        story.append(Spacer(0, 2.5 * mm))
    return story


class _Pages(Canvas):
    """A canvas that knows the page count, so every footer can say "page n of N"."""

    footer: tuple[str, Catalogue] = ("", None)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined] # reportlab's own reset, as showPage does

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        text, words = self.footer
        style = STYLES["small"]
        paragraph = Paragraph(_text(text), style)
        _, height = paragraph.wrap(SEAL_BOX[0] - MARGIN - 4 * mm, 30 * mm)
        paragraph.drawOn(self, MARGIN, 8 * mm + (18 * mm - height))
        self.setFont(FONT, 7)
        self.drawRightString(
            A4[0] - MARGIN, 3 * mm, words.label("ui.page", page=self.getPageNumber(), pages=total)
        )


def render(
    source: Source, form: Form, words: Catalogue, jws: str, *, language: str, attachment: str
) -> bytes:
    """The form as PDF bytes (unsealed), with its title, QR code and every section."""
    _fonts()
    out = io.BytesIO()
    message_id = str(source.envelope.get("id", ""))
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM,
        invariant=1,  # the same message renders to the same bytes; the seal carries the time
        title=words.label(f"form.{form.key}.title"),
        author="eevidence-broker",
        subject=f"{source.envelope.get('type')} {message_id}",
        keywords=[
            f"jws-sha256={sha256_hex(jws)}",
            f"order={source.order_reference}",
            f"message={message_id}",
        ],
        creator="eevidence-broker (broker.certificates)",
        lang=language,
    )
    footer = words.label("ui.true_copy", id=message_id, file=attachment)
    pages = type("Pages", (_Pages,), {"footer": (footer, words)})
    story = _header(source, form, words, jws, language) + _sections(source, form, words)
    document.build(story, canvasmaker=cast(Any, pages))
    return out.getvalue()
