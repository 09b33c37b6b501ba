"""The web portal: the broker's front door for people, beside the API's for machines.

Caseworkers, providers' legal officers, enforcing authorities and oversight bodies sign in with a
password and a second factor, and read and act on the same orders through the same queries,
operations and access rule as the API (`broker.orders.queries.visible_orders`), with
the same audit trail: this door translates between HTML forms and those calls and holds no rule
of its own. What it adds is what its medium needs (docs/portal.md):

- `page.py`: the @page decorator (who is asking, one transaction, the log, problems as pages);
- `sessions.py`, `csrf.py`, `security.py`, `throttle.py`: cookies, forms, headers, sign-in limits;
- `i18n.py`, `labels.py`, `translations/`: every word from a catalogue, English and French;
- `compiled.py`: each template compiled once per process, whatever the number of apps;
- `forms.py`, `paging.py`: server-side validation with an error summary, keyset pages;
- `signing.py`: the envelope a person signs in the browser (the broker never holds their key);
- `views/`: the pages, by area; `templates/`, `static/`: the HTML, its one style sheet and the one
  script, which signs (static/signing.js).

`init_app(app)` installs it on the app at "/" (the API stays under /api/v1).
"""

from typing import Any

from flask import Blueprint
from flask import Flask
from flask import g
from flask import request

from broker.api.endpoint import services
from broker.lifecycle import Clock
from broker.portal import compiled
from broker.portal import csrf
from broker.portal import errors
from broker.portal import i18n
from broker.portal import labels
from broker.portal import security
from broker.portal import settings
from broker.portal import throttle
from broker.vocabulary import DataCategory
from broker.vocabulary import OffenceTiming

bp = Blueprint(
    "portal",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
errors.init_blueprint(bp)


@bp.app_context_processor
def _frame() -> dict[str, Any]:
    """What every portal template may use besides the i18n helpers (see templates/base.html).

    Registered on the app, for the page a portal address shows for a method it does not take (which
    routing refuses before the blueprint is known; errors.init_app); nothing for any other template.
    """
    if request.blueprint != bp.name and not g.get("portal_page"):
        return {}
    return {
        "person": g.get("person"),
        "csrf_field": csrf.field,
        "label": labels.label,
        "clock_status": labels.clock_status,
        "clock_enum": Clock,
        "data_category_enum": DataCategory,
        "offence_timing": OffenceTiming,
        # The broker's time, which deadlines are counted against (a frozen clock in the tests).
        "now": services().clock(),
        # The page the language switcher brings the person back to.
        "request_path": request.full_path.rstrip("?") if request.method == "GET" else request.path,
    }


def init_app(app: Flask) -> None:
    """Install the portal: its settings' defaults, catalogues, headers, limits and pages (ValueError on a bad setting).

    Call after the API's headers and rate limits are installed: the portal builds on both.
    """
    settings.install_defaults(app.config)
    app.jinja_env.bytecode_cache = compiled.COMPILED
    i18n.init_app(app)
    security.init_app(app)
    throttle.init_app(app)
    errors.init_app(app)
    from broker.portal import views  # noqa: F401 - the routes register themselves on bp

    app.register_blueprint(bp)
