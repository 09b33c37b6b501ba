"""The reference data files: versioned, every entry sourced, and the facts the rules rely on."""

import json
from importlib import resources

import pytest

from broker.legal import Confidence
from broker.legal import load_reference
from broker.legal.reference import FILES

FOLDER = resources.files("broker.legal").joinpath("reference")


def _document(name: str) -> dict:
    return json.loads(FOLDER.joinpath(name).read_text("utf-8"))


def test_every_file_in_the_folder_is_loaded() -> None:
    assert sorted(p.name for p in FOLDER.iterdir() if p.name.endswith(".json")) == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_file_is_versioned_and_every_entry_names_a_source(name: str) -> None:
    document = _document(name)
    assert document["version"] and document["updated"] and document["title"] and document["note"]
    assert document["entries"]
    for entry in document["entries"]:
        assert entry["source"].strip()
        assert entry["confidence"] in set(Confidence)


def _entry(name: str, **match: str) -> dict:
    (entry,) = [e for e in _document(name)["entries"] if all(e.get(k) == v for k, v in match.items())]
    return entry


def test_denmark_is_not_participating_and_flagged_unconfirmed() -> None:
    assert "DK" not in load_reference().participating_states
    assert _entry("participating-states.json", country="DK")["confidence"] == "unconfirmed"


def test_ireland_is_participating() -> None:
    assert "IE" in load_reference().participating_states
    assert _entry("participating-states.json", country="IE")["confidence"] == "secondary"


def test_the_union_minus_denmark_participates() -> None:
    assert len(load_reference().participating_states) == 26


def test_every_participating_state_has_languages() -> None:
    reference = load_reference()
    assert set(reference.languages) == reference.participating_states
    assert all(reference.languages.values())
    assert reference.languages["IE"] == ("en", "ga")


@pytest.mark.parametrize("name", ["annex-iv-offences.json", "art-5-4-offences.json", "cets-224-parties.json"])
def test_unread_lists_are_flagged_unconfirmed(name: str) -> None:
    assert all(entry["confidence"] == "unconfirmed" for entry in _document(name)["entries"])


def test_annex_iv_has_32_categories() -> None:
    assert len(load_reference().annex_iv) == 32


def test_art_5_4_lists_the_four_directives() -> None:
    listed = load_reference().listed_offences
    assert set(listed) == {"2019/713", "2011/93", "2013/40", "2017/541"}
    assert not listed["2017/541"].by_information_system_required
    assert 14 in listed["2017/541"].articles and 13 not in listed["2017/541"].articles


def test_protocol_signatories_are_not_bound() -> None:
    reference = load_reference()
    assert reference.bound_by_protocol("JP")
    assert not reference.bound_by_protocol("US")
    assert not reference.bound_by_protocol("ZZ")


def test_the_party_lists_say_they_must_be_checked_before_production() -> None:
    for name in ("cets-185-parties.json", "cets-224-parties.json"):
        assert "before production" in _document(name)["note"]
