"""The notification plug-ins report on /-/health: class names only, never a host or address."""


def test_unreachable_channels_degrade_the_health(testapp):
    body = testapp.get("/-/health").json  # both plug-ins point at 127.0.0.1:9 (nobody there)
    assert body["status"] == "degraded"
    for name in ("email", "sms"):
        check = body["integrations"][name]
        assert check["status"] == "error"
        assert check["error"] in ("ConnectionRefusedError", "ConnectionError")
        assert "127.0.0.1" not in str(check)
