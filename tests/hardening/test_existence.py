"""Anonymous callers cannot tell an existing dossier (or child) from a missing one: both ask
for the login (302 to /aanmelden for pages, 401 for the API), over every registered path below
``/dossiers/<reference>``."""

import pytest

from loket.dossiers.models import CHILDREN_KEY, Dossier

MISSING_REFERENCE = "2026-999999"


def _names(app, context_class) -> set[str]:
    """The view names registered on a context (the default view as '')."""
    names = set()
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        context = view["context"]
        if isinstance(context, type) and issubclass(context_class, context) and \
                context is not object:
            names.add(view["name"] or "")
    return names


def child_paths(app) -> list[str]:
    """Relative paths below a dossier: its views, its children, their views, their items'."""
    paths = {f"{name}" for name in _names(app, Dossier)}
    for child, factory in app.registry[CHILDREN_KEY].items():
        paths.add(child)
        if isinstance(factory, type):
            paths |= {f"{child}/{name}" for name in _names(app, factory)}
        model = getattr(factory, "model", None)
        if model is not None:
            paths |= {f"{child}/1/{name}".rstrip("/") for name in _names(app, model)}
            paths |= {f"{child}/1", f"{child}/1/inhoud"}
    return sorted(paths)


def test_the_paths_cover_the_children(app):
    paths = child_paths(app)
    for expected in ("", "documenten", "documenten/1/download", "adviezen/1", "notities",
                     "stap", "ontvankelijkheid"):
        assert expected in paths


def _shape(response) -> tuple:
    location = response.headers.get("Location", "")
    return response.status_int, location.split("?")[0].replace("http://localhost", "")


@pytest.mark.parametrize("prefix", ["", "/api/v1"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_callers_cannot_probe_references(testapp, app, factories, prefix, method):
    dossier = factories.dossier()
    factories.document(dossier)
    differences = []
    for path in child_paths(app):
        answers = []
        for reference, sub in ((dossier.reference, path), (MISSING_REFERENCE, path),
                               (dossier.reference, path.replace("/1", "/999"))):
            url = f"{prefix}/dossiers/{reference}/{sub}"
            if method == "GET":
                response = testapp.get(url, status="*")
            else:
                response = testapp.post(url, {"x": "1"}, status="*")
            answers.append(_shape(response))
        if len(set(answers)) != 1:
            differences.append((path, answers))
        assert answers[0][0] in (302, 400, 401, 405), (path, answers)
    assert differences == []
