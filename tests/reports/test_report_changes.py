"""An order's change appends to the statistics and never updates a shared tally row; the worker folds.

A tally row is shared by every order of one State, type and day: updated in each order's own
transaction it would make those transactions wait for one another, as the single log head once did.
"""

from typing import Any

import sqlalchemy as sa
from alembic import command

from broker import migrate
from broker.reports import operations
from broker.reports.models import ART28_CHANGES
from broker.reports.models import TRANSPARENCY_CHANGES
from broker.reports.models import Art28Tally
from broker.reports.models import TransparencyTally

TALLIES = (str(Art28Tally.__table__.name), str(TransparencyTally.__table__.name))


def statements_while(database: Any, action: Any) -> list[str]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", before)
    try:
        action()
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", before)
    return seen


def unfolded(database: Any) -> int:
    with database.transaction() as session:
        return sum(
            session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            for table in (ART28_CHANGES, TRANSPARENCY_CHANGES)
        )


def test_issuing_receiving_and_answering_touch_no_tally_row(steps, database):
    order = steps.issue()
    seen = statements_while(database, lambda: steps.respond(steps.receive(order), "produced"))
    written = [each for each in seen if each.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert any("report_art28_changes" in each for each in written), "the change was appended"
    assert not [each for each in written if any(f" {table} " in f" {each} " for table in TALLIES)], written


def test_folding_moves_the_changes_into_the_tallies_and_no_report_changes(steps, year, database):
    before = steps.report("art28?year=2026"), steps.report("transparency?year=2026", who="provider")
    assert unfolded(database) > 0
    assert operations.fold_all(database) > 0
    assert unfolded(database) == 0
    with database.transaction() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Art28Tally)), "the tallies hold them now"
    after = steps.report("art28?year=2026"), steps.report("transparency?year=2026", who="provider")
    assert [report["figures"] for report in after] == [report["figures"] for report in before]


def test_folding_in_small_batches_adds_up_to_folding_at_once(steps, year, database):
    with database.transaction() as session:
        while operations.fold(session, limit=7):
            pass
    small = steps.report("art28?year=2026")
    with database.transaction() as session:
        operations.rebuild(session)
    assert unfolded(database) == 0
    assert steps.report("art28?year=2026")["figures"] == small["figures"]


def test_going_down_a_revision_folds_the_changes_first(steps, year, database):
    before = steps.report("art28?year=2026")["figures"]
    assert unfolded(database) > 0
    config = migrate.alembic_config(database)
    command.downgrade(config, "0010")  # drops the changes tables, after folding them into the tallies
    command.upgrade(config, "head")
    assert unfolded(database) == 0
    assert steps.report("art28?year=2026")["figures"] == before
