"""Every word from a catalogue: the catalogues complete and compiled, every value labelled, times in words."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask

from broker.portal import catalogues
from broker.portal import i18n
from broker.portal.labels import LABELS

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_every_catalogue_is_complete_current_and_compiled():
    assert list(catalogues.problems()) == []


@pytest.mark.parametrize("enum", list(LABELS), ids=lambda enum: enum.__name__)
def test_every_value_has_a_label(enum):
    assert set(LABELS[enum]) == {member.value for member in enum}


@pytest.mark.parametrize(
    ("language", "due", "told"),
    [
        ("en", NOW + timedelta(hours=7, minutes=59, seconds=59), "7 hours, 59 minutes left"),
        ("en", NOW + timedelta(days=9, hours=23), "9 days left"),
        ("en", NOW + timedelta(seconds=40), "0 minutes left"),
        ("en", NOW - timedelta(minutes=30), "30 minutes late"),
        ("fr", NOW + timedelta(hours=2, minutes=5), "Reste 2\u00a0heures et 5 minutes"),
    ],
)
def test_the_time_left_is_cut_down_never_rounded_up(language, due, told):
    with Flask(__name__).test_request_context():
        i18n.choose(language)
        assert i18n.time_left(due, NOW) == told
