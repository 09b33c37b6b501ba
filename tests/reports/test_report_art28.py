"""Art. 28 statistics of a realistic month, each figure checked against a count done by hand.

The orders are the `year` fixture's (tests/reports/conftest.py); the comments name which of them
each number counts, so a reader can redo the count.
"""

import uuid
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa

from broker.demo.network import build_network
from broker.demo.scenario import Demo
from broker.orders.models import Order
from broker.reports import operations

ZERO = {"subscriber": 0, "user_identification": 0, "traffic": 0, "content": 0}
MAIL = "Example Mail (IE)"
CLOUD = "Other Cloud (DE)"


def split(total, categories, addressees, emergency, non_emergency):
    return {
        "total": total,
        "by_data_category": {**ZERO, **categories},
        "by_addressee": addressees,
        "by_emergency": {"emergency": emergency, "non_emergency": non_emergency},
    }


def average(count, seconds, readable):
    return {"count": count, "average_seconds": seconds, "average": readable}


NONE = average(0, None, None)


def test_the_art28_report_of_france_matches_a_count_by_hand(steps, year):
    report = steps.report("art28?year=2026&country=FR")
    assert report["period"] == {"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z", "year": 2026}
    assert report["country"] == "FR"
    figures = report["figures"]

    # (a) EPOCs O1-O6, O9, O10, O12; subscriber in all but O3 (traffic) and O4 (content); O2 also asks
    # user_identification, so the categories add up to 10; O2, O9 and O10 are emergencies.
    assert figures["a"]["epoc"] == split(
        9, {"subscriber": 7, "user_identification": 1, "traffic": 1, "content": 1}, {MAIL: 8, CLOUD: 1}, 3, 6
    )
    # EPOC-PRs O7, O8, O11, each for subscriber and traffic data; O11 an emergency.
    assert figures["a"]["epoc_pr"] == split(3, {"subscriber": 3, "traffic": 3}, {MAIL: 3}, 1, 2)

    # (b) O9 and O10: the police without prior validation (Art. 4(5)); O11 is an EPOC-PR, not counted.
    assert figures["b"] == {"epoc": 2}

    # (c) complied: O1, O4, O10 produced and O2 partly; not: O3 refused, O5 not executed, O6 deadline
    # missed; O12 pending; O9 withdrawn without an answer.
    epocs = figures["c"]["epoc"]
    assert epocs["complied"] == split(
        4, {"subscriber": 3, "user_identification": 1, "content": 1}, {MAIL: 3, CLOUD: 1}, 2, 2
    )
    assert epocs["complied_partially"] == split(
        1, {"subscriber": 1, "user_identification": 1}, {CLOUD: 1}, 1, 0
    )
    assert epocs["not_complied"] == {
        **split(3, {"subscriber": 2, "traffic": 1}, {MAIL: 3}, 0, 3),
        "by_reason": {"refused": 1, "not_executed": 1, "deadline_missed": 1, "enforcement": 0},
    }
    assert epocs["pending"] == split(1, {"subscriber": 1}, {MAIL: 1}, 0, 1)
    assert epocs["ended_without_answer"] == split(1, {"subscriber": 1}, {MAIL: 1}, 1, 0)
    # EPOC-PRs: O7 preserved, O8 not executed, O11 withdrawn when its validation never came.
    preservations = figures["c"]["epoc_pr"]
    assert "complied_partially" not in preservations
    assert preservations["complied"] == split(1, {"subscriber": 1, "traffic": 1}, {MAIL: 1}, 0, 1)
    assert preservations["not_complied"]["total"] == 1
    assert preservations["not_complied"]["by_reason"]["not_executed"] == 1
    assert preservations["pending"] == split(0, {}, {}, 0, 0)
    assert preservations["ended_without_answer"] == split(1, {"subscriber": 1, "traffic": 1}, {MAIL: 1}, 1, 0)

    # (d) O3 (traffic) and O4 (content) were notified to Ireland; O3 was refused for ne bis in idem.
    assert figures["d"]["notifications"] == split(2, {"traffic": 1, "content": 1}, {MAIL: 2}, 0, 2)
    assert figures["d"]["refused"] == {
        **split(1, {"traffic": 1}, {MAIL: 1}, 0, 1),
        "by_ground": {
            "immunity_privilege_or_press_freedom": 0,
            "manifest_fundamental_rights_breach": 0,
            "ne_bis_in_idem": 1,
            "no_double_criminality": 0,
        },
    }

    # (e) issue -> data: O1 2 h, O2 4 h, O4 24 h, O10 3 h; (2 + 4 + 24 + 3) / 4 = 8.25 h = 29 700 s.
    assert figures["e"]["epoc"] == {
        "total": average(4, 29700.0, "8 h 15 min"),
        "by_data_category": {
            "subscriber": average(3, 10800.0, "3 h"),  # O1, O2, O10: 9 h / 3
            "user_identification": average(1, 14400.0, "4 h"),  # O2
            "traffic": NONE,
            "content": average(1, 86400.0, "1 d"),  # O4
        },
        "by_addressee": {
            MAIL: average(3, 34800.0, "9 h 40 min"),  # O1, O4, O10: 29 h / 3
            CLOUD: average(1, 14400.0, "4 h"),  # O2
        },
        "by_emergency": {
            "emergency": average(2, 12600.0, "3 h 30 min"),  # O2, O10
            "non_emergency": average(2, 46800.0, "13 h"),  # O1, O4
        },
    }

    # (f) O7: issued, received 1 h later, preserved 1 h after that, production request confirmed 3 days on.
    assert figures["f"]["epoc_pr"]["total"] == average(1, 266400.0, "3 d 2 h")
    assert figures["f"]["epoc_pr"]["by_emergency"]["emergency"] == NONE

    # (g) O5 enforcement refused; O6 sent for enforcement after its missed deadline, undecided.
    assert figures["g"] == {
        "epoc": {"requests": 2, "recognised": 0, "refused": 1, "awaiting_decision": 1},
        "epoc_pr": {"requests": 0, "recognised": 0, "refused": 0, "awaiting_decision": 0},
    }
    # (i) Art. 4(5): O9 refused, O11 not obtained in 48 hours, O10 granted.
    assert figures["i"] == {
        "required": 3,
        "not_granted": 2,
        "refused": 1,
        "not_obtained_in_time": 1,
        "granted": 1,
        "awaiting": 0,
    }
    # (h) remedies and (j) costs are not recorded: null, never a guess.
    assert figures["h"] is None
    assert figures["j"] is None


def test_every_point_is_defined_with_its_article_letter_and_confidence(steps, year):
    definitions = steps.report("art28?year=2026")["definitions"]
    assert set(definitions) == {"scope", *"abcdefghij"}
    for point in "abcdefghij":
        assert definitions[point]["citation"] == f"Regulation (EU) 2023/1543, Art. 28, point ({point})"
    for point in "abcde":
        assert definitions[point]["confidence"].startswith("[V]")
    assert definitions["f"]["confidence"].startswith("UNCONFIRMED wording")
    for point in "ghij":
        assert definitions[point]["confidence"].startswith("UNCONFIRMED")
    assert "not recorded" in definitions["h"]["definition"]
    assert "not recorded" in definitions["j"]["definition"]
    assert "counts once under each category" in definitions["a"]["definition"]


def test_all_states_add_germany_and_each_state_sees_its_own(steps, year):
    every = steps.report("art28?year=2026")["figures"]
    assert every["a"]["epoc"]["total"] == 10  # O13 from Berlin too
    assert every["a"]["epoc"]["by_addressee"] == {MAIL: 9, CLOUD: 1}
    assert every["c"]["epoc"]["complied"]["total"] == 5  # O13 produced
    berlin = steps.report("art28?year=2026", who="berlin")
    assert berlin["country"] == "DE"
    assert berlin["figures"]["a"]["epoc"] == split(1, {"subscriber": 1}, {MAIL: 1}, 0, 1)
    assert berlin["figures"]["a"]["epoc_pr"]["total"] == 0
    # An issuing authority's default is its own State: the prosecutor's report is France's.
    own = steps.report("art28?year=2026", who="prosecutor")
    assert own["country"] == "FR"
    assert own["figures"] == steps.report("art28?year=2026&country=FR")["figures"]


def test_orders_issued_outside_the_period_or_not_under_the_regulation_are_not_counted(steps, year):
    # O1-O4 were issued on 24 November, the other EPOCs from the 25th on.
    assert steps.report("art28?start=2026-11-24&end=2026-11-25")["figures"]["a"]["epoc"]["total"] == 4
    assert steps.report("art28?start=2026-11-25&end=2026-12-01")["figures"]["a"]["epoc"]["total"] == 6
    later = steps.report("art28?start=2026-12-01&end=2027-01-01")["figures"]
    assert later["a"]["epoc"]["total"] == 0
    assert later["e"]["epoc"]["total"] == NONE, "an average of nothing is null, not zero"
    assert steps.report("art28?year=2025")["figures"]["a"]["epoc"]["total"] == 0
    # A Budapest Convention preservation request is no EPOC-PR under the Regulation.
    steps.budapest_preservation()
    assert steps.report("art28?year=2026")["figures"]["a"]["epoc_pr"]["total"] == 3


def test_an_order_issued_exactly_at_the_start_is_in_and_exactly_at_the_end_is_out(steps, clock):
    clock.advance(hours=15)  # 2026-11-25T00:00:00Z
    steps.issue()
    clock.advance(days=1)  # 2026-11-26T00:00:00Z
    steps.issue(order_type="epoc-pr")

    def issued(query):
        figures = steps.report(f"art28?{query}")["figures"]["a"]
        return figures["epoc"]["total"], figures["epoc_pr"]["total"]

    assert issued("start=2026-11-25&end=2026-11-26") == (1, 0)
    assert issued("start=2026-11-24&end=2026-11-25") == (0, 0)
    assert issued("start=2026-11-26&end=2026-11-27") == (0, 1)
    assert issued("start=2026-11-25&end=2026-11-27") == (1, 1)


def test_the_calendar_year_ends_at_midnight_utc_on_new_year(steps, database):
    """Issue times are moved by hand, outside the operations, so the statistics are rebuilt after."""
    last, first = steps.issue(), steps.issue()
    with database.transaction() as session:
        for order, moment in (
            (last, datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)),
            (first, datetime(2027, 1, 1, tzinfo=UTC)),
        ):
            session.execute(
                sa.update(Order).where(Order.id == uuid.UUID(order["id"])).values(issued_at=moment)
            )
        assert operations.rebuild(session) == 2
    assert steps.report("art28?year=2026")["figures"]["a"]["epoc"]["total"] == 1
    assert steps.report("art28?year=2027")["figures"]["a"]["epoc"]["total"] == 1


def test_the_demo_exchange_gives_one_complied_subscriber_epoc_to_example_mail(app, database, clock, tmp_path):
    """The demo's scenario on the test app: its Art. 28 report is the one order it exchanges."""
    parties = build_network(database, clock, tmp_path)
    client = app.test_client()
    Demo(client, parties, clock, lambda line: None).run()
    answer = client.get("/api/v1/reports/art28?year=2026", headers=parties["oversight"].headers())
    assert answer.status_code == 200, answer.get_json()
    figures = answer.get_json()["figures"]
    one = split(1, {"subscriber": 1}, {MAIL: 1}, 0, 1)
    assert figures["a"] == {"epoc": one, "epoc_pr": split(0, {}, {}, 0, 0)}
    assert figures["b"] == {"epoc": 0}
    assert figures["c"]["epoc"]["complied"] == one
    assert figures["c"]["epoc"]["complied_partially"]["total"] == 0
    assert figures["c"]["epoc"]["not_complied"]["total"] == 0
    assert figures["d"]["notifications"]["total"] == 0
    assert figures["d"]["refused"]["total"] == 0
    assert figures["e"]["epoc"]["total"]["count"] == 1
    assert figures["g"]["epoc"]["requests"] == 0
    assert figures["i"]["required"] == 0
