"""Rate limits (per address on login and the API, per token on the API) answer 429 with
Retry-After; security.txt follows RFC 9116."""

import pytest
from pyramid.exceptions import ConfigurationError
from webtest import TestApp

from loket.ratelimit import SlidingWindow, parse_limit


@pytest.fixture
def limited(make_committed_app):
    settings = {"loket.ratelimit.enabled": "true",
                "loket.ratelimit.login": "3/60", "loket.ratelimit.api_address": "4/60",
                "loket.ratelimit.api_token": "2/60",
                "loket.security.contact": "mailto:security@heidebeek.be"}
    return TestApp(make_committed_app(**settings))


def test_the_window_slides():
    now = [0.0]
    window = SlidingWindow(2, 10, clock=lambda: now[0])
    assert window.hit("a") == 0 and window.hit("a") == 0
    assert window.hit("a") == pytest.approx(10)
    assert window.hit("b") == 0  # per key
    now[0] = 10.5
    assert window.hit("a") == 0


def test_login_is_limited_per_address(limited):
    for _ in range(3):
        limited.get("/aanmelden", extra_environ={"REMOTE_ADDR": "192.0.2.1"}, status="*")
    refused = limited.get("/aanmelden", extra_environ={"REMOTE_ADDR": "192.0.2.1"}, status=429)
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Te veel" in refused.text or "te veel" in refused.text
    # Another address, and X-Forwarded-For cannot fake one.
    limited.get("/aanmelden", extra_environ={"REMOTE_ADDR": "192.0.2.2"}, status="*")
    limited.get("/aanmelden", headers={"X-Forwarded-For": "198.51.100.9"},
                extra_environ={"REMOTE_ADDR": "192.0.2.1"}, status=429)


def test_the_api_is_limited_per_token_and_per_address(limited):
    def call(token, address="192.0.2.7"):
        return limited.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"},
                           extra_environ={"REMOTE_ADDR": address}, status="*")

    assert call("token-a").status_int != 429 and call("token-a").status_int != 429
    refused = call("token-a")
    assert refused.status_int == 429 and refused.json["error"]["status"] == 429
    assert "Retry-After" in refused.headers
    assert call("token-b").status_int != 429  # another token, same address: allowed
    assert call("token-c").status_int != 429
    assert call("token-d").status_int == 429  # the address's 4 are spent (a refusal does not count)


def test_limits_are_off_in_tests_by_default(testapp):
    for _ in range(30):
        testapp.get("/aanmelden", status="*")
    assert testapp.get("/aanmelden", status="*").status_int != 429


@pytest.mark.parametrize("value", ["ten", "10/0", "-1/60", "5/a"])
def test_bad_limits_are_refused_with_their_name(value):
    with pytest.raises(ConfigurationError, match="loket.ratelimit.login"):
        parse_limit("loket.ratelimit.login", value)


def test_security_txt(limited):
    response = limited.get("/.well-known/security.txt")
    assert response.content_type == "text/plain"
    fields = dict(line.split(": ", 1) for line in response.text.splitlines())
    assert fields["Contact"] == "mailto:security@heidebeek.be"
    assert fields["Expires"].endswith("Z")
    assert fields["Canonical"] == "http://localhost/.well-known/security.txt"


def test_no_contact_no_security_txt(testapp):
    testapp.get("/.well-known/security.txt", status=404)
