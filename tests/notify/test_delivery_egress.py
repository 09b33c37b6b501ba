"""Where deliveries may go: names resolved at each delivery, every address checked, the connection pinned.

Two kinds of test. With the mocked receiver (responses) and a fake resolver injected into the
delivery, what is resolved and what is refused. With real receivers on 127.0.0.1 (the loopback
switch on, as in a test deployment) what a mock cannot show: that the connection goes to the address
that was checked although the name is resolvable nowhere else, that the receiver sees the URL's Host,
and that TLS is verified against the URL's name (SNI included), not against the pinned address.
"""

import pytest

from broker.notify import delivery

HOOK = "https://hooks.examplemail.test/broker"
NAME = "hooks.example.test"  # resolvable only through the fake resolver


def attempts(outbox):
    (message,) = outbox()
    return message, [(a.status_code, a.error) for a in message.history]


# --- Resolution at delivery, with the mocked receiver -----------------------------------------------


def test_a_name_is_resolved_at_each_delivery_not_at_registration(
    hook, notify, receiver, deliver, outbox, resolver, clock
):
    hook("provider", HOOK)
    assert resolver.calls == [], "registration does not resolve: the answer would be stale by delivery"
    receiver.post(HOOK, status=204)
    notify("provider")
    resolver.answers["hooks.examplemail.test"] = ["10.0.0.7"]

    assert deliver() == 1
    message, made = attempts(outbox)
    assert made == [
        (
            None,
            "RefusedDestination: hooks.examplemail.test resolves to 10.0.0.7, a private or reserved address: "
            "deliveries go to public addresses only, never into private networks",
        )
    ]
    assert len(receiver.calls) == 0
    assert message.status == "pending", "a refused attempt is retried like any failure"

    resolver.answers["hooks.examplemail.test"] = ["93.184.215.14"]
    clock.advance(seconds=30)
    assert deliver() == 1
    message, made = attempts(outbox)
    assert (message.status, made[-1]) == ("delivered", (204, None))
    assert resolver.calls == [("hooks.examplemail.test", 443)] * 2


@pytest.mark.parametrize(
    "answer",
    [
        ["169.254.169.254"],
        ["93.184.215.14", "10.0.0.7"],
        ["2606:4700:4700::1111", "fd00::7"],
        ["127.0.0.1"],
        ["::ffff:169.254.169.254"],
        ["64:ff9b::a00:7"],
        ["100.64.0.7"],
    ],
)
def test_a_name_with_any_non_public_address_gets_no_request(
    hook, notify, receiver, deliver, outbox, resolver, answer
):
    hook("provider", HOOK)
    receiver.post(HOOK, status=204)
    notify("provider")
    resolver.answers["hooks.examplemail.test"] = answer

    deliver()

    _, [(status, error)] = attempts(outbox)
    assert status is None and error.startswith("RefusedDestination: hooks.examplemail.test resolves to ")
    assert len(receiver.calls) == 0


def test_an_unresolvable_name_is_a_failed_attempt(hook, notify, receiver, deliver, outbox, resolver):
    hook("provider", HOOK)
    resolver.default = None
    notify("provider")
    deliver()
    _, [(status, error)] = attempts(outbox)
    assert status is None
    assert error.startswith("RefusedDestination: hooks.examplemail.test cannot be resolved: ")


def test_an_endpoint_registered_under_the_loopback_switch_is_refused_once_it_is_off(
    hook, notify, receiver, deliver, outbox
):
    hook("provider", "http://127.0.0.1:9/hook", allow_loopback=True)
    receiver.post("http://127.0.0.1:9/hook", status=204)
    notify("provider")

    deliver()  # the egress fixture is a production one: loopback refused

    _, [(status, error)] = attempts(outbox)
    assert (status, len(receiver.calls)) == (None, 0)
    assert "127.0.0.1, a loopback address" in error


def test_the_receiver_sees_the_urls_host_not_the_address(hook, notify, receiver, deliver):
    url = "https://hooks.examplemail.test:8443/broker"
    hook("provider", url)
    receiver.post(url, status=204)
    notify("provider")
    deliver()
    (call,) = receiver.calls
    assert call.request.headers["Host"] == "hooks.examplemail.test:8443"


# --- Real receivers on loopback: the connection is pinned ------------------------------------------


class Rebinding:
    """A resolver that answers `first` once, then a private address: a DNS rebinding attack."""

    def __init__(self, *first: str) -> None:
        self.first = list(first)
        self.calls = 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls += 1
        return self.first if self.calls == 1 else ["10.0.0.1"]


def https_egress(authority, resolver):
    return delivery.Egress(allow_loopback=True, resolver=resolver, verify=str(authority.bundle))


def test_the_delivery_connects_to_the_checked_address_and_verifies_tls_against_the_name(
    hook, notify, outbox, deliver_for_real, local_receiver, authority, tmp_path
):
    receiver = local_receiver(authority.issue(tmp_path, (NAME,)))
    hook("provider", f"https://{NAME}:{receiver.port}/broker")
    (message,) = notify("provider")
    resolver = Rebinding("127.0.0.1")

    assert deliver_for_real(https_egress(authority, resolver)) == 1

    _, made = attempts(outbox)
    assert made == [(204, None)]
    # Resolved once; the name exists nowhere else, so the connection can only have used that answer.
    assert resolver.calls == 1
    (seen,) = receiver.seen
    assert (seen.host, seen.server_name, seen.local_address, seen.delivery) == (
        f"{NAME}:{receiver.port}",
        NAME,
        "127.0.0.1",
        str(message.id),
    )


@pytest.mark.parametrize(
    ("names", "ips", "why"),
    [
        pytest.param(("other.example.test",), (), "doesn't match", id="a certificate for another name"),
        pytest.param((), ("127.0.0.1",), "doesn't match", id="a certificate for the pinned address only"),
    ],
)
def test_a_certificate_that_does_not_name_the_urls_host_is_refused(
    hook, notify, outbox, deliver_for_real, local_receiver, authority, tmp_path, names, ips, why
):
    receiver = local_receiver(authority.issue(tmp_path, names, ips))
    hook("provider", f"https://{NAME}:{receiver.port}/broker")
    notify("provider")

    deliver_for_real(https_egress(authority, Rebinding("127.0.0.1")))

    _, [(status, error)] = attempts(outbox)
    assert status is None and error.startswith("SSLError") and why in error, error
    assert receiver.seen == []


def test_a_certificate_from_an_untrusted_authority_is_refused(
    hook, notify, outbox, deliver_for_real, local_receiver, authority, tmp_path
):
    receiver = local_receiver(authority.issue(tmp_path, (NAME,)))
    hook("provider", f"https://{NAME}:{receiver.port}/broker")
    notify("provider")
    egress = delivery.Egress(allow_loopback=True, resolver=Rebinding("127.0.0.1"))  # the system's CAs

    deliver_for_real(egress)

    _, [(status, error)] = attempts(outbox)
    assert status is None and "CERTIFICATE_VERIFY_FAILED" in error, error
    assert receiver.seen == []


def test_the_next_checked_address_is_tried_when_one_refuses_the_connection(
    hook, notify, outbox, deliver_for_real, local_receiver, authority, tmp_path
):
    receiver = local_receiver(authority.issue(tmp_path, (NAME,)))  # listens on 127.0.0.1 only
    hook("provider", f"https://{NAME}:{receiver.port}/broker")
    notify("provider")
    resolver = Rebinding("127.0.0.2", "127.0.0.1")

    deliver_for_real(https_egress(authority, resolver))

    _, made = attempts(outbox)
    assert (made, resolver.calls) == ([(204, None)], 1)
    assert [seen.local_address for seen in receiver.seen] == ["127.0.0.1"]


def test_a_proxy_in_the_environment_is_not_used(
    hook, notify, outbox, deliver_for_real, local_receiver, authority, tmp_path, monkeypatch
):
    receiver = local_receiver(authority.issue(tmp_path, (NAME,)))
    hook("provider", f"https://{NAME}:{receiver.port}/broker")
    notify("provider")
    for variable in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(variable, "http://127.0.0.1:9")  # nothing listens: using it would fail
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    deliver_for_real(https_egress(authority, Rebinding("127.0.0.1")))

    _, made = attempts(outbox)
    assert made == [(204, None)]


def test_plain_http_to_a_loopback_receiver_with_the_switch_on(
    hook, notify, outbox, deliver_for_real, local_receiver
):
    receiver = local_receiver()
    url = f"http://127.0.0.1:{receiver.port}/hook"
    hook("provider", url, allow_loopback=True)
    notify("provider")
    never = Rebinding()

    deliver_for_real(delivery.Egress(allow_loopback=True, resolver=never))

    _, made = attempts(outbox)
    assert made == [(204, None)]
    assert never.calls == 0, "an address literal is not resolved"
    assert [seen.host for seen in receiver.seen] == [f"127.0.0.1:{receiver.port}"]
