"""What `broker serve` checks before it answers: warnings in development, refusals in production.

Without the broker's own key (BROKER_KEY_FILE) the API still answers, but it cannot sign a log
checkpoint (`GET /audit/key` and `POST /audit/checkpoints` answer `signing-unavailable`) and no
webhook delivery can be signed (notifications stay queued). That is fine for trying the broker out
and wrong for a deployment, and it used to show only later, at the first checkpoint or delivery:
now `broker serve` says so when it starts.

`BROKER_ENV=production` declares a real deployment, in which `broker serve` refuses to start
without what one needs:

- the broker's key (`BROKER_KEY_FILE`): the log must be verifiable and deliveries signed;
- a log origin of its own (`BROKER_LOG_ORIGIN`, not the default): checkpoints signed under the
  default origin cannot be told from another deployment's, and the origin cannot change later;
- no `--debug` (Flask's debugger runs code for whoever reaches it);
- no `BROKER_WEBHOOK_ALLOW_LOOPBACK` (webhooks to the broker's own machine are for tests);
- mail settings that make sense (broker/notify/mail/settings.py): a well-formed `BROKER_SMTP_URL`
  with its `BROKER_MAIL_FROM`, an https `BROKER_PUBLIC_URL`, and no unencrypted SMTP (`smtp+plain://`)
  but to this machine. Without `BROKER_SMTP_URL` the broker runs and warns: nobody is mailed.

What it does not refuse, because it is the deployment's business: listening on a non-loopback
address (TLS is terminated by the proxy in front), SQLite, or rate limits counted in memory; for
the last, with several processes, it warns that each process counts on its own.
"""

from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

import click

from broker import config
from broker.api import ratelimit
from broker.notify.mail.settings import MailSettings

PRODUCTION = "production"


def problems_in_production(settings: Mapping[str, Any], *, debug: bool) -> list[str]:
    """What a production deployment lacks or must not have, one sentence each (empty: nothing)."""
    found = []
    if not settings["KEY_FILE"]:
        found.append(
            "set BROKER_KEY_FILE to the broker's Ed25519 key: it signs log checkpoints and webhook deliveries"
        )
    if not (settings["SEAL_KEY_FILE"] and settings["SEAL_CERT_FILE"]):
        found.append(
            "set BROKER_SEAL_KEY_FILE and BROKER_SEAL_CERT_FILE (`broker certificate seal-key` makes them): "
            "without them every PDF route answers signing-unavailable"
        )
    if settings["LOG_ORIGIN"] == config.DEFAULTS["LOG_ORIGIN"]:
        found.append(
            "set BROKER_LOG_ORIGIN to a name of this deployment (e.g. broker.example.eu/eevidence): "
            "checkpoints under the default origin cannot be told from another deployment's"
        )
    if debug:
        found.append("--debug runs Flask's debugger, which executes code for whoever reaches it")
    if settings.get("WEBHOOK_ALLOW_LOOPBACK") is True:
        found.append(
            "BROKER_WEBHOOK_ALLOW_LOOPBACK is for tests: webhooks must not reach the broker's own machine"
        )
    found += _mail_problems(settings, production=True)
    return found


def _mail_problems(settings: Mapping[str, Any], *, production: bool) -> list[str]:
    """What is wrong with the mail settings; in production, also what is unsafe."""
    try:
        mail = MailSettings.from_settings(settings)
    except ValueError as error:
        return [str(error)]
    if mail is None or not production:
        return []
    found = []
    if not mail.public_url.startswith("https://"):
        found.append("BROKER_PUBLIC_URL must be an https address: every mail sends people to it to sign in")
    if mail.security.value == "smtp+plain" and not mail.loopback:
        found.append(
            "BROKER_SMTP_URL is smtp+plain:// to another machine: use smtps:// or smtp:// (STARTTLS), "
            "or a relay on this machine"
        )
    return found


def warnings(settings: Mapping[str, Any], *, processes: int) -> list[str]:
    """What works but may not be what the operator meant, one sentence each."""
    found = []
    if not settings["KEY_FILE"]:
        found.append(
            "no BROKER_KEY_FILE: the API answers, but log checkpoints cannot be signed (signing-unavailable) "
            "and webhook notifications stay queued until a key is configured"
        )
    if not (settings["SEAL_KEY_FILE"] or settings["SEAL_CERT_FILE"]):
        found.append(
            "no BROKER_SEAL_KEY_FILE/BROKER_SEAL_CERT_FILE: certificate PDFs are sealed with a development "
            "seal the broker keeps in its instance folder (seal/), which no reader has reason to trust"
        )
    if not settings.get("SMTP_URL"):
        found.append("no BROKER_SMTP_URL: nobody is told by e-mail; mails wait in the outbox until it is set")
    found += _mail_problems(settings, production=False)
    storage = str(settings["RATE_LIMIT_STORAGE"])
    if storage.startswith("memory://"):
        if processes > 1:
            found.append(
                f"rate limits are counted in memory by each of the {processes} processes on its own, so they "
                "are that much looser: set BROKER_RATE_LIMIT_STORAGE=redis://… to share the counts"
            )
    elif not ratelimit.store_answers(storage, str(settings["RATE_LIMIT_KEY_PREFIX"])):
        found.append(
            f"the rate-limit store {storage} does not answer: requests go through unlimited until it does"
        )
    return found


def check_serving(
    *,
    processes: int,
    debug: bool,
    settings: Mapping[str, Any] | None = None,
    echo: Callable[[str], None] | None = None,
) -> None:
    """Say what `broker serve` lacks before it starts; in production, refuse to start without it.

    `settings` defaults to the environment's BROKER_* settings, read as the app reads them.
    """
    values = config.settings() if settings is None else settings
    say = echo or (lambda line: click.echo(line, err=True))
    if values["ENV"] == PRODUCTION:
        missing = problems_in_production(values, debug=debug)
        if missing:
            raise click.ClickException(
                "BROKER_ENV=production, and this deployment is not ready:\n  - " + "\n  - ".join(missing)
            )
    for line in warnings(values, processes=processes):
        say(f"warning: {line}")
