"""The request class composed once (loket.web.requests): every request has the extensions of
``config.add_request_method`` without Pyramid making a class per request."""

from pyramid.request import Request


def test_requests_share_one_class_with_the_extensions(testapp):
    router = testapp.app
    assert router.request_extensions is None  # nothing applied per request
    first = router.request_factory.blank("/")
    second = router.request_factory.blank("/catalogus/")
    assert type(first) is type(second)
    assert issubclass(type(first), Request)
    for name in ("dbsession", "user", "session", "municipality_shown", "start_pages", "tm"):
        assert hasattr(type(first), name), name


def test_a_subrequest_of_a_plain_request_gets_the_extensions(testapp):
    response = testapp.app.invoke_subrequest(Request.blank("/"), use_tweens=True)
    assert response.status_code == 200
