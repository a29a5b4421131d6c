"""The API says what it does: every operation under /api/v1 lists the 429 of the rate
limits, and a real 429 matches the document."""

from loket.main import main
from loket.web.openapi import spec_dict, validate_api_response

METHODS = ("get", "put", "post", "delete", "patch")


def test_every_api_operation_lists_429(app):
    document = spec_dict(app.registry)
    missing = [f"{method.upper()} {path}" for path, item in document["paths"].items()
               if "servers" not in item for method in METHODS
               if method in item and "429" not in item[method]["responses"]]
    assert missing == []
    assert "429" not in document["paths"]["/-/health"]["get"]["responses"]
    assert "Retry-After" in document["components"]["responses"]["TooManyRequests"]["headers"]


def test_a_real_429_matches_the_document(app_settings):
    import webtest

    limited = main({}, **{**app_settings, "loket.ratelimit.enabled": "true",
                          "loket.ratelimit.api_address": "2/60"})
    try:
        client = webtest.TestApp(limited, extra_environ={"HTTP_HOST": "localhost"})
        for _ in range(2):
            client.get("/api/v1/", status=200)
        response = client.get("/api/v1/", status=429)
        assert int(response.headers["Retry-After"]) >= 1
        validate_api_response(response.request, response, limited.registry)
    finally:
        limited.registry["db_engine"].dispose()
