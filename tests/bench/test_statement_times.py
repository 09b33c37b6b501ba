"""bench/statement_times.py: each statement's time per order, and the ones that grew at size."""

import re

import sqlalchemy as sa


def test_statements_are_timed_by_text_and_the_growth_names_the_one_that_grew():
    import statement_times

    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:

        def one(index: int, rows: int) -> None:
            connection.exec_driver_sql("SELECT 1")
            connection.exec_driver_sql(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i || '' != '' AND i < ?) "
                "SELECT count(*) FROM n",
                (rows,),
            )

        empty = statement_times.measure(engine, 3, lambda index: one(index, 10))
        sized = statement_times.measure(engine, 3, lambda index: one(index, 200_000))

    assert sum(calls for _, calls in sized.statements.values()) == 6
    assert 0 < sized.sql_seconds <= sized.seconds
    text = "\n".join(statement_times.growth(empty, sized, 1_000_000, rows=2))
    assert "empty against 1,000,000 orders" in text
    first = re.search(r"^\| `(.*)` \| 1\.0 / 1\.0 \| [\d.]+ \| [\d.]+ \| \+[\d.]+ \|$", text, re.M)
    assert first and "WITH RECURSIVE" in first.group(1), text  # the statement that grew comes first
    assert "i \\|\\| ''" in first.group(1), "a | inside the statement is escaped for the table"
