"""A streamed evidence download carries the security headers like every other answer (issue 12, defect 6).

The bytes leave from a generator after the view returned; the headers are set before the first byte
(broker/api/headers.py). Whole, ranged and HEAD, over http and over TLS.
"""

import pytest
from test_evidence_api import evidence  # noqa: F401 - fixtures of the evidence API tests
from test_evidence_api import sealed  # noqa: F401

SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


@pytest.mark.parametrize(
    ("method", "request_headers", "status", "part"),
    [
        pytest.param("GET", {}, 200, slice(0, None), id="whole"),
        pytest.param("GET", {"Range": "bytes=0-99"}, 206, slice(0, 100), id="a range"),
        pytest.param("HEAD", {}, 200, slice(0, 0), id="head"),
    ],
)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_a_streamed_download_carries_the_security_headers(
    evidence,  # noqa: F811
    sealed,  # noqa: F811
    method,
    request_headers,
    status,
    part,
    tls,
):
    order, package, ciphertext = sealed
    response = evidence.client.open(
        f"/api/v1/orders/{order['id']}/evidence/{package['id']}/content",
        method=method,
        headers={**evidence.network["prosecutor"].headers, **request_headers},
        base_url="https://broker.example.eu" if tls else "http://localhost",
    )
    assert response.status_code == status
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    assert ("Strict-Transport-Security" in response.headers) is tls
    assert response.get_data() == ciphertext[part]
