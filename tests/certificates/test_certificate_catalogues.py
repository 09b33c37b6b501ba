"""The catalogues a translator completes: English, French and German whole; a gap shows in English, marked."""

import json
from importlib import resources

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from broker.certificates.annexes import EPOC
from broker.certificates.annexes import EPOC_PR
from broker.certificates.catalogue import FALLBACK_MARK
from broker.certificates.catalogue import OFFICIAL_LANGUAGES
from broker.certificates.catalogue import Catalogue
from broker.certificates.catalogue import UnknownLanguage
from broker.certificates.catalogue import available
from broker.certificates.catalogue import catalogue
from broker.certificates.catalogue import choose_language
from broker.certificates.followups import ANNEX_III
from broker.certificates.followups import ANNEX_V
from broker.certificates.followups import ANNEX_VI
from broker.certificates.followups import ANSWER
from broker.certificates.followups import MANIFEST

COMPLETE = ("en", "fr", "de")
FORMS = (EPOC, EPOC_PR, ANNEX_III, ANNEX_V, ANNEX_VI, ANSWER, MANIFEST)


def document(language: str) -> dict:
    path = resources.files("broker.certificates").joinpath(f"catalogues/{language}.json")
    return json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("language", COMPLETE)
def test_english_french_and_german_have_every_label(language):
    words = catalogue(language)

    assert sorted(set(words.reference) - set(words.labels)) == []
    assert sorted(set(words.labels) - set(words.reference)) == [], "a label English does not have"
    assert words.complete


@pytest.mark.parametrize("language", COMPLETE)
@pytest.mark.parametrize("form", FORMS, ids=[form.key for form in FORMS])
def test_every_label_a_form_uses_is_in_the_catalogue(language, form):
    words = catalogue(language)
    keys = [f"form.{form.key}.title", f"form.{form.key}.intro"]
    for section, fields in form.numbered():
        keys.append(f"section.{form.key}.{section.letter}")
        keys += [field.label for _, field in fields]

    assert [key for key in keys if not words.translated(key)] == []


@pytest.mark.parametrize("language", COMPLETE)
def test_a_catalogue_says_where_its_words_come_from_and_which_are_unconfirmed(language):
    found = document(language)

    assert found["language"] == language
    assert "UNCONFIRMED" in found["comment"]
    assert set(found["confirmed"]) <= set(found["labels"])


def test_a_label_missing_in_a_language_falls_back_to_english_visibly():
    words = Catalogue("it", {"field.addressee": "Destinatario"}, catalogue("en").reference)

    assert words.label("field.addressee") == "Destinatario"
    assert words.label("field.issuing_state") == "Issuing State" + FALLBACK_MARK
    assert not words.complete


def test_a_language_without_a_catalogue_is_english_throughout_and_marked():
    words = catalogue("it")

    assert words.label("section.epoc.A") == "Issuing/validating authority [en]"


@pytest.mark.parametrize("language", ["xx", "EN", "english", ""])
def test_only_an_official_language_of_the_union_is_accepted(language):
    with pytest.raises(UnknownLanguage):
        catalogue(language)


@pytest.mark.parametrize(
    ("accepted", "chosen"),
    [(["de", "en"], "de"), (["it", "fr"], "fr"), (["it", "pl"], "en"), ([], "en"), (["xx", "fr"], "fr")],
)
def test_the_default_is_the_first_accepted_language_that_is_fully_translated(accepted, chosen):
    assert choose_language(accepted) == chosen


@pytest.mark.parametrize(
    ("accepted", "certificate_language", "chosen"),
    [
        (["de", "fr"], "fr", "fr"),  # the language the issuer wrote in, which the addressee accepts
        (["de", "it"], "it", "de"),  # written in Italian, which has no complete catalogue yet
        (["de", "en"], "fr", "de"),  # a language the addressee does not accept is never preferred
    ],
)
def test_the_certificates_own_language_comes_first_if_the_addressee_accepts_it(
    accepted, certificate_language, chosen
):
    assert choose_language(accepted, certificate_language) == chosen


def test_the_shipped_catalogues_are_the_complete_ones():
    assert set(COMPLETE) <= set(available()) <= set(OFFICIAL_LANGUAGES)


# The letters of every official language beyond ASCII: Latin with diacritics, Greek, Cyrillic.
ALPHABETS = {
    "bg": "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯабвгдежзийклмнопрстуфхцчшщъьюя",
    "el": "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰΆΈΉΊΌΎΏ",
    "cs": "ÁČĎÉĚÍŇÓŘŠŤÚŮÝŽáčďéěíňóřšťúůýž",
    "da": "ÆØÅæøå",
    "de": "ÄÖÜäöüß",
    "et": "ÕÄÖÜŠŽõäöüšž",
    "fi": "ÄÖÅäöå",
    "fr": "ÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸàâæçéèêëîïôœùûüÿ",
    "ga": "ÁÉÍÓÚáéíóú",
    "hr": "ČĆĐŠŽčćđšž",
    "hu": "ÁÉÍÓÖŐÚÜŰáéíóöőúüű",
    "it": "ÀÈÉÌÒÙàèéìòù",
    "lt": "ĄČĘĖĮŠŲŪŽąčęėįšųūž",
    "lv": "ĀČĒĢĪĶĻŅŠŪŽāčēģīķļņšūž",
    "mt": "ĊĠĦŻċġħż",
    "pl": "ĄĆĘŁŃÓŚŹŻąćęłńóśźż",
    "pt": "ÀÁÂÃÇÉÊÍÓÔÕÚàáâãçéêíóôõú",
    "ro": "ĂÂÎȘȚăâîșț",
    "sk": "ÁÄČĎÉÍĹĽŇÓÔŔŠŤÚÝŽáäčďéíĺľňóôŕšťúýž",
    "sl": "ČŠŽčšž",
    "es": "ÁÉÍÑÓÚÜáéíñóúü¿¡",
    "sv": "ÅÄÖåäö",
    "nl": "ÉËÏÓÖÜéëïóöü",
}
FACES = ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf")


@pytest.mark.parametrize("face", FACES)
def test_the_shipped_fonts_have_every_letter_of_every_official_language(face):
    with resources.as_file(resources.files("broker.certificates").joinpath(f"fonts/{face}")) as path:
        glyphs = TTFontFile(str(path)).charToGlyph
    letters = set("".join(ALPHABETS.values())) | set("■□—\u2013“”„«»\u2019")

    assert sorted(letter for letter in letters if ord(letter) not in glyphs) == []


def test_the_fonts_licence_ships_with_them():
    licence = resources.files("broker.certificates").joinpath("fonts/LICENSE-DejaVu.txt").read_text("utf-8")

    assert "Bitstream Vera" in licence and "Permission is hereby granted" in licence
