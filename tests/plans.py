"""The query plan a database chooses for a statement, for tests that pin a query's shape."""

import sqlalchemy as sa


def plan(connection: sa.Connection, statement: sa.Select[tuple[object]]) -> str:
    sql = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        return "\n".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    # Sequential and bitmap scans priced out, as a large table prices them against a page or a probe: what
    # is left shows which index, if any, can answer the statement (and whether it still has to sort).
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
