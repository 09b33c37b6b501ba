"""BROKER_SMTP_URL, BROKER_MAIL_FROM and BROKER_PUBLIC_URL read into the mail settings, or refused by name."""

import pytest

from broker.notify.mail.settings import MailSettings
from broker.notify.mail.settings import Security

GOOD = {"MAIL_FROM": "broker@example.eu", "PUBLIC_URL": "https://broker.example.eu/"}


@pytest.mark.parametrize(
    ("url", "host", "port", "security", "username", "password"),
    [
        ("smtps://mail.example.eu", "mail.example.eu", 465, Security.TLS, None, None),
        ("smtp://mail.example.eu", "mail.example.eu", 587, Security.STARTTLS, None, None),
        ("smtp+plain://127.0.0.1:2525", "127.0.0.1", 2525, Security.NONE, None, None),
        (
            "smtps://broker%40example.eu:p%3Ass@mail.example.eu:10465",
            "mail.example.eu",
            10465,
            Security.TLS,
            "broker@example.eu",
            "p:ss",
        ),
    ],
)
def test_an_smtp_url_names_server_protection_and_login(url, host, port, security, username, password):
    settings = MailSettings.from_settings({**GOOD, "SMTP_URL": url})
    assert settings is not None
    assert (settings.host, settings.port, settings.security) == (host, port, security)
    assert (settings.username, settings.password) == (username, password)
    assert settings.public_url == "https://broker.example.eu", "links are joined without a double slash"


def test_no_smtp_url_means_no_mail():
    assert MailSettings.from_settings({"SMTP_URL": None}) is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SMTP_URL": "mailto:broker@example.eu"}, "BROKER_SMTP_URL must start with"),
        ({"SMTP_URL": "smtp://"}, "BROKER_SMTP_URL names no host"),
        ({"SMTP_URL": "smtp://mail.example.eu:99999"}, "port"),
        ({"SMTP_URL": "smtp://mail.example.eu/inbox"}, "nothing after"),
        ({"MAIL_FROM": None}, "BROKER_MAIL_FROM"),
        ({"MAIL_FROM": "broker@example.eu\r\nBcc: x@example.eu"}, "BROKER_MAIL_FROM"),
        ({"PUBLIC_URL": None}, "BROKER_PUBLIC_URL"),
        ({"PUBLIC_URL": "broker.example.eu"}, "BROKER_PUBLIC_URL"),
    ],
)
def test_a_bad_setting_is_refused_by_name(changes, named):
    with pytest.raises(ValueError, match=named):
        MailSettings.from_settings({**GOOD, "SMTP_URL": "smtps://mail.example.eu", **changes})


@pytest.mark.parametrize(
    ("host", "loopback"), [("127.0.0.1", True), ("[::1]", True), ("localhost", True), ("relay", False)]
)
def test_loopback_is_this_machine_only(host, loopback):
    settings = MailSettings.from_settings({**GOOD, "SMTP_URL": f"smtp+plain://{host}"})
    assert settings is not None and settings.loopback is loopback
