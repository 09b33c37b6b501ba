"""Templates compiled once per process: a new environment reuses the code, and never for a changed source."""

import jinja2

from broker.portal.compiled import COMPILED
from broker.portal.compiled import ProcessBytecodeCache


def environment(cache: ProcessBytecodeCache, source: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": source}), bytecode_cache=cache, autoescape=True
    )


def test_a_second_environment_renders_with_the_code_compiled_for_the_first(monkeypatch):
    cache = ProcessBytecodeCache()
    assert (
        environment(cache, "Hello {{ name }}").get_template("page.html").render(name="<Ana>")
        == "Hello &lt;Ana&gt;"
    )
    compiled = []
    monkeypatch.setattr(jinja2.Environment, "_compile", lambda *args: compiled.append(args))
    assert environment(cache, "Hello {{ name }}").get_template("page.html").render(name="Ana") == "Hello Ana"
    assert compiled == []


def test_a_changed_template_is_compiled_again_not_served_from_the_cache():
    cache = ProcessBytecodeCache()
    assert environment(cache, "first").get_template("page.html").render() == "first"
    assert environment(cache, "second").get_template("page.html").render() == "second"
    assert environment(cache, "first").get_template("page.html").render() == "first"


def test_every_broker_app_shares_the_process_cache(app, client):
    assert app.jinja_env.bytecode_cache is COMPILED
    assert client.get("/login").status_code == 200
    assert COMPILED.compiled, "rendering a page left no compiled template behind"
