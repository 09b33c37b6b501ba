"""The layering of broker/: every import points down a floor, pure cores stay pure, only operations write.

The floors are the ones pictured in docs/architecture.md (a test below keeps the picture equal to this
table). A unit is a top-level module or folder of broker/; a unit may import only units on a lower
rank. Adding a unit means placing it here, which is the moment to decide where it belongs.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BROKER = Path(__file__).resolve().parents[2] / "broker"
ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"

# Bottom to top. Within a floor, units are ranked in the order given: a unit imports only units before it.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    (
        "pure cores (no Flask, no database)",
        (
            "vocabulary",
            "countries",
            "clock",
            "problems",
            "crypto",
            "translog",
            "workdays",
            "wire",
            "lifecycle",
            "lifecycle_docs",
            "legal",
            "etsi",
        ),
    ),
    ("the parties' side (HTTP client, no server)", ("client", "certificates")),
    ("foundation", ("config", "pool_ping", "db", "migrate", "access")),
    ("write-side primitives", ("audit", "clocks")),
    ("registry", ("parties", "notify")),
    ("features", ("orders", "evidence", "reports")),
    ("workflow", ("workflow",)),
    ("front doors", ("services", "api", "portal", "url_rules", "app", "models", "demo", "cli")),
]
RANK = {unit: rank for rank, unit in enumerate(unit for _, units in FLOORS for unit in units)}
PURE = set(FLOORS[0][1]) | set(FLOORS[1][1])
FRAMEWORKS = ("flask", "werkzeug", "sqlalchemy", "alembic", "waitress")

# The modules that may write to the database besides operations modules, each for a stated reason.
WRITERS_BY_EXCEPTION = {
    # The API door's store of answers for Idempotency-Key: it belongs to HTTP, not to any feature.
    "api/idempotency.py",
}
SESSION_WRITES = {"add", "add_all", "delete", "merge", "flush"}
STATEMENT_WRITES = {"update", "insert", "delete"}


def modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(BROKER.rglob("*.py")):
        relative = path.relative_to(BROKER)
        yield path, relative.parts[0].removesuffix(".py")


def imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "broker":
                yield from ((node.lineno, f"broker.{alias.name}") for alias in node.names)
            else:
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)


def test_every_unit_has_a_floor():
    units = {unit for _, unit in modules() if unit != "__init__"}
    assert units - RANK.keys() == set(), "place the new unit on a floor in FLOORS"
    assert RANK.keys() - units == set(), "FLOORS names a unit that no longer exists"


def test_imports_point_down():
    upward = []
    for path, unit in modules():
        if unit == "__init__":
            continue
        for line, name in imports(path):
            parts = name.split(".")
            if parts[0] != "broker" or len(parts) < 2 or parts[1] == unit:
                continue
            if RANK[parts[1]] > RANK[unit]:
                upward.append(f"{path.relative_to(BROKER.parent)}:{line} {unit} imports {name}")
    assert upward == []


def test_pure_cores_import_no_framework():
    found = [
        f"{path.relative_to(BROKER.parent)}:{line} imports {name}"
        for path, unit in modules()
        if unit in PURE
        for line, name in imports(path)
        if name.split(".")[0] in FRAMEWORKS
    ]
    assert found == []


def _writes(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        target = node.func.value
        if node.func.attr in SESSION_WRITES and isinstance(target, ast.Name) and target.id == "session":
            yield f"{node.lineno}: session.{node.func.attr}"
        if node.func.attr in STATEMENT_WRITES and isinstance(target, ast.Name) and target.id == "sa":
            yield f"{node.lineno}: sa.{node.func.attr}"


def _is_operations(relative: Path) -> bool:
    return relative.name == "operations.py" or "operations" in relative.parts[:-1]


def test_only_operations_modules_write():
    found = [
        f"{path.relative_to(BROKER.parent)}:{write}"
        for path, _ in modules()
        if not _is_operations(path.relative_to(BROKER))
        and str(path.relative_to(BROKER)) not in WRITERS_BY_EXCEPTION
        for write in _writes(path)
    ]
    assert found == []


def test_the_write_check_sees_writes():
    """The check above would notice a write: it finds the ones operations modules make."""
    assert list(_writes(BROKER / "orders" / "operations.py"))
    assert list(_writes(BROKER / "api" / "idempotency.py"))


FEATURES = ("parties", "audit", "clocks", "notify", "orders", "evidence")


@pytest.mark.parametrize("feature", FEATURES)
def test_features_use_the_same_file_names_for_the_same_jobs(feature):
    """models.py (tables), queries.py (reads), operations.py (writes) in every feature folder."""
    folder = BROKER / feature
    assert {"models.py", "queries.py", "operations.py"} <= {path.name for path in folder.iterdir()}


def render_floors(width: int = 100) -> str:
    """The floors as a stack of boxes, top floor first, the picture docs/architecture.md shows."""
    inner = width - 4
    lines = ["```"]
    for position, (name, units) in enumerate(reversed(FLOORS)):
        corner = "┌" if position == 0 else "├"
        end = "┐" if position == 0 else "┤"
        lines.append(f"{corner}─ {name} " + "─" * (width - len(name) - 5) + end)
        row = ""
        for unit in units:
            candidate = f"{row} · {unit}" if row else unit
            if len(candidate) > inner:
                lines.append(f"│ {row:<{inner}} │")
                candidate = unit
            row = candidate
        lines.append(f"│ {row:<{inner}} │")
    lines += ["└" + "─" * (width - 2) + "┘", "```"]
    return "\n".join(lines)


def test_the_architecture_page_shows_these_floors():
    assert render_floors() in ARCHITECTURE.read_text(), (
        "docs/architecture.md must show the floors exactly as tests/architecture/test_layers.py defines them:\n"
        + render_floors()
    )
