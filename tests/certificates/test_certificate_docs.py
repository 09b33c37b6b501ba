"""docs/certificates.md shows rendered pages, and the command that makes them still makes them."""

import shutil
from pathlib import Path

import pytest
from PIL import Image

from broker.certificates import samples

pytestmark = pytest.mark.slow  # started first, so parallel workers end together (tests/conftest.py)

DOCS = Path(__file__).resolve().parents[2] / "docs"
IMAGES = (
    "certificate-epoc-de.png",
    "certificate-epoc-pr-fr.png",
    "certificate-annex-iii-en.png",
    "certificate-annex-v-en.png",
    "certificate-annex-vi-de.png",
    "certificate-answer-fr.png",
    "certificate-evidence-manifest-en.png",
)


@pytest.mark.parametrize("name", IMAGES)
def test_the_page_shows_each_example_image(name):
    assert f"(images/{name})" in (DOCS / "certificates.md").read_text()
    assert (DOCS / "images" / name).stat().st_size > 10_000


def test_the_images_are_regenerated_by_the_command(tmp_path):
    assert shutil.which("pdftoppm"), (
        "pdftoppm (Debian poppler-utils) makes the page images; .ci/run installs it"
    )

    samples.main([str(tmp_path), "--pdf", str(tmp_path / "pdf")])

    for name in IMAGES:
        with Image.open(tmp_path / name) as made, Image.open(DOCS / "images" / name) as kept:
            assert made.size == kept.size  # the same page at the same resolution; keys and times differ
        assert (tmp_path / "pdf" / name.replace(".png", ".pdf")).read_bytes().startswith(b"%PDF-")
