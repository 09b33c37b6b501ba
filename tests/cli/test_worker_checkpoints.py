"""The worker signs a checkpoint of the log periodically, and only when the log has grown."""

from datetime import timedelta

import requests

from broker.audit.queries import latest_checkpoint
from broker.cli.worker import run_once


def test_checkpoints_follow_the_log_at_most_once_per_interval(app, database, clock, network, exchange):
    signer = app.extensions["broker"].log_signer
    said: list[str] = []

    def round_() -> None:
        run_once(database, clock, signer, requests.Session(), said.append, timedelta(minutes=5))

    round_()
    with database.transaction() as session:
        first = latest_checkpoint(session)
    assert first is not None and said == [f"checkpoint signed: {first.size} entries"]

    round_()  # nothing new: no second checkpoint
    exchange.draft()
    clock.advance(minutes=4)
    round_()  # grown, but the interval has not passed
    assert len(said) == 1

    clock.advance(minutes=1)
    round_()
    with database.transaction() as session:
        second = latest_checkpoint(session)
    assert second.size > first.size
    assert said[-1] == f"checkpoint signed: {second.size} entries"


def test_without_a_key_the_worker_signs_nothing(database, clock, network):
    said: list[str] = []
    run_once(database, clock, None, requests.Session(), said.append)
    with database.transaction() as session:
        assert latest_checkpoint(session) is None
    assert said == []
