"""The webhook address policy on its own: every spelling of an address read as the resolver reads it.

These tables are the SSRF defence's specification: each numeric spelling is checked against the C
library's own inet_aton, each kind of non-public address is named, and `resolve` is shown refusing a
name as soon as one of its addresses is not public.
"""

import ipaddress
import socket

import pytest

from broker import problems
from broker.notify import addresses

# (host as urlsplit gives it, the address the resolver reads in it)
NUMERIC_SPELLINGS = [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0177.0.0.01", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("10.1", "10.0.0.1"),
    ("0xa.0x0.0x0.0x1", "10.0.0.1"),
    ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
    ("169.254.43518", "169.254.169.254"),
    ("0", "0.0.0.0"),  # noqa: S104 - an address to refuse, not to bind
    ("93.184.215.14", "93.184.215.14"),
]
NOT_NUMERIC = ["08.0.0.1", "1.2.3.256", "1.2.65536", "1.2.3.4.5", "0x", "127..1", "127.0.0.1 x", "1e3", ""]


@pytest.mark.parametrize(("host", "address"), NUMERIC_SPELLINGS)
def test_numeric_hosts_are_read_as_the_c_library_reads_them(host, address):
    assert addresses.ipv4_literal(host) == ipaddress.IPv4Address(address)
    assert socket.inet_aton(host) == ipaddress.IPv4Address(address).packed  # glibc agrees


@pytest.mark.parametrize("host", NOT_NUMERIC)
def test_text_the_resolver_does_not_read_as_an_address_is_not_one(host):
    assert addresses.ipv4_literal(host) is None
    with pytest.raises((OSError, UnicodeError)):  # glibc refuses it, or Python before asking glibc
        socket.getaddrinfo(host, 80, flags=socket.AI_NUMERICHOST)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.7", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "scoped"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not to bind
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "reserved"),  # documentation
        ("2001:db8::1", "reserved"),  # documentation
        ("100.64.0.1", "shared"),
        ("fec0::1", "site-local"),
        ("::ffff:10.0.0.1", "private or reserved (IPv4 10.0.0.1 inside IPv6)"),
        ("::ffff:127.0.0.1", "loopback (IPv4 127.0.0.1 inside IPv6)"),
        ("64:ff9b::a9fe:a9fe", "link-local (IPv4 169.254.169.254 inside IPv6)"),
        ("2002:a00:1::1", "private or reserved (IPv4 10.0.0.1 inside IPv6)"),
        ("64:ff9b:1::a00:1", "translated"),
        ("::a00:1", "translated"),
        ("2001::1", "Teredo"),
    ],
)
def test_every_kind_of_non_public_address_is_named(address, kind):
    found = addresses.non_public(ipaddress.ip_address(address))
    assert found is not None and kind in found, found


@pytest.mark.parametrize(
    "address",
    ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.215.14", "64:ff9b::808:808"],
)
def test_public_addresses_pass(address):
    assert addresses.non_public(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_the_loopback_switch_admits_loopback(address):
    assert addresses.non_public(ipaddress.ip_address(address), allow_loopback=True) is None


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254", "0.0.0.1", "fe80::1", "::ffff:10.0.0.1"])
def test_the_loopback_switch_admits_nothing_else(address):
    assert addresses.non_public(ipaddress.ip_address(address), allow_loopback=True) is not None


# --- URLs at registration -------------------------------------------------------------------------

# (URL, what the reason says) refused whatever the switch says.
ALWAYS_REFUSED = [
    ("https://10.0.0.7/hook", "private"),
    ("https://10.1/hook", "10.0.0.1, a private"),
    ("https://0xa.0.0.1/hook", "10.0.0.1, a private"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://0xA9.0xFE.0xA9.0xFE/", "169.254.169.254, a link-local"),
    ("https://2852039166/", "169.254.169.254, a link-local"),
    ("https://0/hook", "0.0.0.0, an unspecified"),
    ("https://[::]/hook", "unspecified"),
    ("https://[fd00::1]/hook", "private"),
    ("https://[fe80::1%25eth0]/hook", "scoped"),
    ("https://[::ffff:10.0.0.1]/hook", "IPv4 10.0.0.1 inside IPv6"),
    ("https://[::ffff:a9fe:a9fe]/hook", "IPv4 169.254.169.254 inside IPv6"),
    ("https://[64:ff9b::a00:1]/hook", "IPv4 10.0.0.1 inside IPv6"),
    ("https://[2002:a00:1::1]/hook", "IPv4 10.0.0.1 inside IPv6"),
    ("https://[2001::1]/hook", "Teredo"),
    ("https://100.64.0.1/hook", "shared"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://[ff02::1]/hook", "multicast"),
    ("https://%31%30.0.0.1/hook", "read differently by the HTTP client"),
    ("https://hooks.example.test%2f@10.0.0.1/", "credentials"),
    ("https://hooks.example.test@10.0.0.1/", "credentials"),
    ("https://10.0.0.1\\@hooks.example.test/", "backslash"),
    ("https://bücher.example/", "read differently by the HTTP client"),
    ("https://08.0.0.1/hook", "looks like an address"),
    ("https://1.2.3.999/hook", "looks like an address"),
    ("https://hooks.example.test:0/", "port 0"),
    ("https://hooks_example.test/", "valid DNS name"),
    ("https://-hooks.example.test/", "valid DNS name"),
    ("http://hooks.example.test/", "https"),
    ("http://10.0.0.5/hook", "private"),
    ("ftp://hooks.example.test/", "https"),
    ("https://hooks.example.test/#fragment", "fragment"),
]
# Refused only while the switch is off (the default, and every production deployment).
LOOPBACK = [
    "https://127.0.0.1/hook",
    "https://2130706433/hook",
    "https://0x7f.1/hook",
    "https://0177.0.0.1/hook",
    "https://127.1/hook",
    "https://0x7f000001/hook",
    "https://127.0.0.1./hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://localhost/hook",
    "https://localhost./hook",
    "https://api.localhost/hook",
    "http://127.0.0.1:8080/hook",
    "http://[::1]:8080/hook",
    "http://localhost/hook",
]
ACCEPTED = [
    "https://hooks.examplemail.test/broker",
    "https://hooks.examplemail.test.:8443/broker?tenant=eu",
    "HTTPS://Hooks.ExampleMail.test/broker",
    "https://xn--bcher-kva.example/hook",
    "https://93.184.215.14/hook",
    "https://[2606:4700:4700::1111]/hook",
]


def refusal(url: str, allow_loopback: bool) -> str:
    with pytest.raises(problems.ValidationFailed) as raised:
        addresses.check_url(url, allow_loopback=allow_loopback)
    (reason,) = raised.value.extensions["errors"]["url"]
    return reason


@pytest.mark.parametrize("allow_loopback", [False, True], ids=["switch off", "switch on"])
@pytest.mark.parametrize(("url", "why"), ALWAYS_REFUSED)
def test_urls_reaching_private_networks_are_refused_in_every_deployment(url, why, allow_loopback):
    assert why in refusal(url, allow_loopback)


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_in_any_spelling_is_refused_unless_the_switch_is_on(url):
    reason = refusal(url, allow_loopback=False)
    assert "loopback" in reason or "https" in reason, reason
    assert addresses.check_url(url, allow_loopback=True) == url


@pytest.mark.parametrize(
    "url", ["http://hooks.example.test/", "http://93.184.215.14/", "http://localhost.example/"]
)
def test_plain_http_is_only_for_loopback_with_the_switch_on(url):
    assert "https" in refusal(url, allow_loopback=True)


@pytest.mark.parametrize("url", ACCEPTED)
def test_public_addresses_and_names_are_accepted(url):
    assert addresses.check_url(url) == url


# --- Resolution at delivery -----------------------------------------------------------------------


class Answers:
    """A resolver from a table, recording what it was asked."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.answers[host.replace(".", "_")]


def test_a_name_is_resolved_once_and_every_address_is_kept_in_order():
    resolver = Answers(hooks_example_test=["93.184.215.14", "2606:4700:4700::1111", "93.184.215.14"])
    target = addresses.resolve("https://hooks.example.test:8443/hook", resolver)
    assert resolver.asked == [("hooks.example.test", 8443)]
    assert target == addresses.Target(
        host="hooks.example.test",
        port=8443,
        host_header="hooks.example.test:8443",
        tls_name="hooks.example.test",
        addresses=(ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("2606:4700:4700::1111")),
    )


@pytest.mark.parametrize(
    "answer",
    [
        ["10.0.0.7"],
        ["93.184.215.14", "10.0.0.7"],  # one bad address is enough: the name is steerable
        ["169.254.169.254"],
        ["127.0.0.1"],
        ["::1"],
        ["::ffff:192.168.0.1"],
        ["64:ff9b::a9fe:a9fe"],
        ["fe80::1%2"],
        ["0.0.0.1"],
        ["not-an-address"],
        [],
    ],
)
def test_a_name_with_any_non_public_address_is_refused(answer):
    with pytest.raises(addresses.AddressRefused, match=r"^hooks\.example\.test resolves to"):
        addresses.resolve("https://hooks.example.test/", Answers(hooks_example_test=answer))


def test_a_name_that_does_not_resolve_is_refused_with_the_resolvers_words():
    def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(addresses.AddressRefused, match=r"cannot be resolved: .*Name or service not known"):
        addresses.resolve("https://hooks.example.test/", nowhere)


def test_an_address_literal_is_never_given_to_the_resolver():
    resolver = Answers()
    target = addresses.resolve("https://93.184.215.14:8443/", resolver)
    assert (resolver.asked, target.addresses, target.tls_name) == (
        [],
        (ipaddress.ip_address("93.184.215.14"),),
        None,
    )


@pytest.mark.parametrize(
    ("url", "allow_loopback"),
    [("http://127.0.0.1:9/hook", False), ("https://10.0.0.1/", True), ("https://2130706433/", False)],
)
def test_delivery_checks_the_url_again_as_at_registration(url, allow_loopback):
    with pytest.raises(addresses.AddressRefused):
        addresses.resolve(url, Answers(), allow_loopback=allow_loopback)


def test_the_switch_accepts_only_true_or_false():
    assert addresses.allow_loopback_setting({}) is False
    assert addresses.allow_loopback_setting({"WEBHOOK_ALLOW_LOOPBACK": True}) is True
    with pytest.raises(ValueError, match="BROKER_WEBHOOK_ALLOW_LOOPBACK must be true or false"):
        addresses.allow_loopback_setting({"WEBHOOK_ALLOW_LOOPBACK": "yes"})
