"""The query plan a database chooses for a statement, for tests that pin a query's shape."""

import sqlalchemy as sa

# Every table of the schema as PostgreSQL sees one that was never vacuumed nor analysed: at least ten
# pages of rows of the width its columns give. What the planner knows of a table otherwise depends on
# the tests that ran before in the same process (the suite vacuums the tables it empties, leaving
# "no rows" behind), and with every path costed for one row it picked between indexes by chance.
AS_NEVER_ANALYSED = """
UPDATE pg_class SET reltuples = -1, relpages = 0
WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace
"""


def plan(connection: sa.Connection, statement: sa.Select[tuple[object]]) -> str:
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return "\n".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    with connection.begin_nested() as planning:  # the statistics and settings go with the savepoint
        connection.exec_driver_sql(AS_NEVER_ANALYSED)
        # Sequential and bitmap scans priced out, as a large table prices them against a page or a
        # probe: what is left shows which index, if any, can answer the statement (and whether it
        # still has to sort).
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        shown = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
        planning.rollback()
    return shown
