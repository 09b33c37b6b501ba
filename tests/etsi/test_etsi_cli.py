"""`broker etsi export|import` as a person uses them: from `broker order show`, back into `broker order draft -`."""

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from broker.cli import main
from broker.demo.server import serving


@pytest.fixture
def shown(client: Any, network: Any, exchange: Any, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """An issued EPOC as `broker order show` prints it, in a file."""
    order = exchange.receive(exchange.issue(exchange.draft()))
    document = client.get(f"/api/v1/orders/{order['id']}", headers=network["prosecutor"].headers).get_json()
    path = tmp_path / "order.json"
    path.write_text(json.dumps(document))
    return document, path


def _run(*arguments: str, stdin: bytes | None = None) -> Any:
    return CliRunner().invoke(main, list(arguments), input=stdin, catch_exceptions=False)


@pytest.mark.parametrize("kind", ["hi1", "form"])
def test_an_exported_order_imports_back_to_its_certificate(shown, tmp_path: Path, kind: str) -> None:
    order, path = shown
    exported = _run("etsi", "export", str(path), "--format", kind)
    assert exported.exit_code == 0, exported.output
    imported = _run("etsi", "import", "-", "--certificate", stdin=exported.stdout_bytes)
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout) == {"order_type": "epoc", "certificate": order["certificate"]}


def test_an_imported_form_drafts_with_broker_order_draft(app, network, shown) -> None:
    order, path = shown
    form = _run("etsi", "export", str(path), "--format", "form").stdout_bytes
    draft = _run("etsi", "import", "-", stdin=form).stdout_bytes
    with serving(app) as url:
        drafted = _run(
            "order", "draft", "-", "--url", url, "--token", network["prosecutor"].token, stdin=draft
        )
    assert drafted.exit_code == 0, drafted.output
    created = json.loads(drafted.stdout)
    assert (created["state"], created["certificate"]) == ("draft", order["certificate"])


def test_invalid_xml_is_one_line_naming_the_element_and_exit_status_1(shown) -> None:
    _, path = shown
    form = _run("etsi", "export", str(path), "--format", "form").stdout_bytes
    broken = form.replace(b"<epoc:EmergencyCase>false", b"<epoc:EmergencyCase>maybe")
    refused = CliRunner().invoke(main, ["etsi", "import", "-"], input=broken)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: /f1:Epoc_Form1/f1:SectionB/epoc:EmergencyCase: ")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><HI1Message/>', "DOCTYPE"),
        (b"<HI1Message><Header>", "not well-formed XML"),
        (b"<Other/>", "Epoc_Form1"),
    ],
)
def test_hostile_or_foreign_xml_is_refused_in_one_line(data: bytes, said: str) -> None:
    refused = CliRunner().invoke(main, ["etsi", "import", "-"], input=data)
    assert refused.exit_code == 1
    assert len(refused.stderr.splitlines()) == 1 and said in refused.stderr


def test_an_order_file_that_is_not_an_order_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"id": 1}')
    refused = CliRunner().invoke(main, ["etsi", "export", str(path)])
    assert refused.exit_code == 1
    assert refused.stderr.startswith("Error: not an order as `broker order show` prints it")
