"""Schemathesis over the OpenAPI document the app serves: every operation in it, whoever
added it, is called through the WSGI app with generated valid and invalid requests, as each of
the callers its security names (integrator and citizen tokens from the ACM/IDM simulator,
staff and citizen sessions, anonymous). No answer may be a 5xx, and every answer must be one
the document lists, in the shape it describes.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomised (the
seed is fixed), no example database, no shrinking. Requests commit, as in production, on a
database of their own with the demo data, so a request that reaches a view finds real
dossiers: path parameters are drawn from the demo's objects as well as generated.
"""

import os
import secrets
from dataclasses import dataclass, field

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from webtest import TestApp

from loket.advice.models import AdviceRequest
from loket.catalogue.models import DossierType
from loket.db import get_tm_session
from loket.decisions.models import Meeting
from loket.demo import load_demo_data
from loket.documents.models import Document
from loket.dossiers.models import Dossier
from loket.identity.models import User, WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.acmidm.simulator import API_CLIENTS
from loket.main import main
from loket.web.openapi import API_PREFIX, response_errors
from tests.api import test_tokens
from tests.api.test_tokens import fetch_token
from tests.applications.test_api import citizen_token
from tests.conftest import ValidatingTestApp, throwaway_database

# The ACM/IDM simulator on a real port (shared with tests/api).
api_provider = test_tokens.api_provider

# Per operation, caller and generation mode (a longer run: LOKET_SCHEMATHESIS_EXAMPLES=50).
EXAMPLES = int(os.environ.get("LOKET_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
SESSION_PERSONAS = ("jan", "els", "nadia", "karin", "pieter")  # citizen, handler, adviser,
# secretariat, finance


@dataclass
class Caller:
    """Who a generated request comes from: headers and cookies to send."""

    name: str
    headers: dict = field(default_factory=dict)
    cookies: dict = field(default_factory=dict)
    csrf: str | None = None

    def for_method(self, method: str) -> tuple[dict, dict]:
        headers = dict(self.headers)
        if self.csrf and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers["X-CSRF-Token"] = self.csrf
        return headers, dict(self.cookies)


@pytest.fixture(scope="module")
def served(app_settings, api_provider, tmp_path_factory):
    """The app on a database of its own with the demo data, trusting the simulator; yields
    ``(app, callers, anchors)``."""
    directory = tmp_path_factory.mktemp("schemathesis")
    with throwaway_database(directory) as url:
        app = main({}, **{**app_settings, "sqlalchemy.url": url,
                          "loket.blob_dir": str(directory / "blobs"),
                          "loket.acmidm.issuer": api_provider.issuer,
                          "loket.acmidm.timeout": "2",
                          "loket.api.jwks_refresh_interval": "0",
                          # An outside advice service, so its callback has a request to answer
                          # (nothing is delivered: no worker runs).
                          "loket.integrations.advice": "advies-api",
                          "loket.integrations.advies-api.base_url": "http://127.0.0.1:9/advies",
                          "loket.integrations.advies-api.api_key": "advies-test-key",
                          "loket.integrations.advies-api.service": "fod-sociale-zekerheid"})
        try:
            callers = _callers(app, api_provider)
            _seed_through_the_api(app, callers)
            yield app, callers, _anchors(app)
        finally:
            app.registry["db_engine"].dispose()


def _committed(app):
    import transaction

    manager = transaction.TransactionManager(explicit=True)
    return manager, lambda: get_tm_session(app.registry["dbsession_factory"], manager)


def _callers(app, provider) -> dict[str, Caller]:
    manager, session_of = _committed(app)
    callers = {"anonymous": Caller("anonymous")}
    with manager:
        session = session_of()
        load_demo_data(session, app.registry.settings)
        for key in SESSION_PERSONAS:
            user = session.scalar(select(User).where(User.subject == BY_KEY[key].sub))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
            session.add(WebSession(id=_hash(token), user_id=user.id,
                                   data={"user_id": user.id, "_csrft_": csrf}))
            callers[f"session:{key}"] = Caller(f"session:{key}", cookies={COOKIE_NAME: token},
                                               csrf=csrf)
    callers["token:citizen"] = Caller("token:citizen", headers={
        "Authorization": f"Bearer {citizen_token(provider)}"})
    for client in API_CLIENTS.values():
        if client.scopes and not client.login_redirect_uris:
            callers[f"token:{client.client_id}"] = Caller(
                f"token:{client.client_id}", headers={
                    "Authorization": f"Bearer {fetch_token(provider, client.client_id)}"})
    return callers


def _seed_through_the_api(app, callers):
    """What the demo lacks for every operation to find its object: a citizen's draft, advice
    requests to a team and to an outside service, a request for completion."""
    browser = ValidatingTestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    browser.post(API_PREFIX + "/catalogus/verwarmingstoelage/aanvragen",
                 headers=callers["token:citizen"].headers, status=201)
    els = callers["session:els"]
    browser.set_cookie(COOKIE_NAME, els.cookies[COOKIE_NAME])
    manager, session_of = _committed(app)
    with manager:
        handled, submitted = (session_of().scalar(select(Dossier).where(
            Dossier.state == state, Dossier.title != "Inname openbaar domein")
            .order_by(Dossier.id)) for state in ("in_behandeling", "ingediend"))
        handled, submitted = handled.reference, (submitted.reference, submitted.version)
    for target in ({"channel": "internal", "team": "financiele-dienst"},
                   {"channel": "api", "service": "fod-sociale-zekerheid"}):
        browser.post_json(f"{API_PREFIX}/dossiers/{handled}/adviezen",
                          {**target, "question": "Klopt het inkomen?"},
                          headers={"X-CSRF-Token": els.csrf}, status=201)
    browser.post(f"/dossiers/{submitted[0]}/stap", {
        "csrf_token": els.csrf, "transition": "vervollediging_vragen",
        "version": submitted[1], "comment": "Graag het attest van de mutualiteit."}, status=302)


def _anchors(app) -> dict[frozenset, list[dict]]:
    """Path parameters that name objects of the data, by the set of parameter names: a
    dossier; a document or advice request of a dossier; a dossier type; a document type of a
    dossier's type; a meeting."""
    manager, session_of = _committed(app)
    with manager:
        session = session_of()
        # In a fixed order: the same examples on SQLite and PostgreSQL.
        dossiers = list(session.scalars(select(Dossier).order_by(Dossier.id)))
        numbered = {(d.reference, str(n)) for d in dossiers for n in (
            *session.scalars(select(Document.number).where(Document.dossier_id == d.id)),
            *session.scalars(select(AdviceRequest.number)
                             .where(AdviceRequest.dossier_id == d.id)))}
        return {
            frozenset({"reference"}): [{"reference": d.reference} for d in dossiers],
            frozenset({"reference", "number"}): [{"reference": r, "number": n}
                                                 for r, n in sorted(numbered)],
            frozenset({"code"}): [{"code": c} for c in session.scalars(
                select(DossierType.code).order_by(DossierType.code))],
            frozenset({"reference", "code"}): [
                {"reference": d.reference, "code": spec["code"]} for d in dossiers
                for spec in d.type_version.definition.get("documents", [])],
            frozenset({"meeting"}): [{"meeting": str(i)}
                                     for i in session.scalars(
                                         select(Meeting.id).order_by(Meeting.id).limit(4))],
        }


def callers_for(operation, callers: dict[str, Caller]) -> list[Caller]:
    """Everyone the operation's security admits, and an anonymous caller."""
    definition = operation.definition.raw
    security = definition.get("security", operation.schema.raw_schema.get("security", []))
    chosen = [callers["anonymous"]]
    for requirement in security:
        for scheme, scopes in requirement.items():
            if scheme == "sessionCookie":
                chosen += [c for n, c in callers.items() if n.startswith("session:")]
            elif "loket.aanvragen" in scopes:
                chosen.append(callers["token:citizen"])
            else:
                chosen += [callers[f"token:{c.client_id}"] for c in API_CLIENTS.values()
                           if f"token:{c.client_id}" in callers
                           and set(scopes) <= c.scopes]
    return list({c.name: c for c in chosen}.values())


def strategy_for(operation, mode, anchors):
    """Generated cases, and cases whose path parameters name demo objects."""
    generated = operation.as_strategy(generation_mode=mode)
    known = anchors.get(frozenset(p.name for p in operation.path_parameters))
    if not known:
        return generated
    anchored = st.sampled_from(known).flatmap(
        lambda values: operation.as_strategy(generation_mode=mode, path_parameters=values))
    return st.one_of(generated, anchored, anchored)


def base_url_for(operation) -> str | None:
    """A path with servers of its own (/-/health) is outside the API's prefix."""
    servers = operation.schema.raw_schema["paths"][operation.path].get("servers")
    return None if servers is None else "http://localhost" + servers[0]["url"].rstrip("/")


def run_operation(app, operation, caller, anchors, statuses, sweep=None) -> None:
    """EXAMPLES valid and invalid cases; with ``sweep`` (path parameters naming an object),
    one valid case on that object."""
    base_url = base_url_for(operation)
    modes = [GenerationMode.POSITIVE] if sweep else [GenerationMode.POSITIVE,
                                                      GenerationMode.NEGATIVE]
    for mode in modes:
        cases = (operation.as_strategy(generation_mode=mode, path_parameters=sweep) if sweep
                 else strategy_for(operation, mode, anchors))

        @hypothesis.settings(max_examples=1 if sweep else EXAMPLES, derandomize=True,
                             database=None, deadline=None,
                             phases=[Phase.explicit, Phase.generate],
                             suppress_health_check=list(HealthCheck), print_blob=False)
        @hypothesis.given(case=cases)
        def check(case):
            headers, cookies = caller.for_method(case.method)
            kwargs = {"base_url": base_url} if base_url else {}
            response = case.call(app=app, headers=headers, cookies=cookies, **kwargs)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)
            _validate_with_openapi_core(app, case, response, headers, cookies)

        try:
            check()
        except hypothesis.errors.Unsatisfiable:
            # Nothing of the operation can be made invalid (no parameters, no body).
            assert mode == GenerationMode.NEGATIVE


def _validate_with_openapi_core(app, case, response, headers, cookies):
    """The project's own, stricter check (no field the document does not describe)."""
    from webob import Request, Response

    request = Request.blank(response.request.url, method=case.method)
    request.headers.update(headers)
    webob_response = Response(body=response.content, status=response.status_code,
                              headerlist=[(k, v) for k, vs in response.headers.items()
                                          for v in vs])
    errors = response_errors(request, webob_response, app.registry)
    assert not errors, f"{case.method} {response.request.url}: {errors}"


def test_every_served_operation_holds_to_the_document(served):
    _every_served_operation_holds_to_the_document(*served)


def _every_served_operation_holds_to_the_document(app, callers, anchors):
    served_document = TestApp(app).get(API_PREFIX + "/openapi.json").json
    schema = schemathesis.openapi.from_dict(served_document)
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(o.label for o in operations) == sorted(
        f"{method.upper()} {path}" for path, item in served_document["paths"].items()
        for method in item if method in ("get", "put", "post", "delete", "patch"))
    failures, reached = {}, {}
    for operation in operations:
        statuses = reached[operation.label] = []
        for caller in callers_for(operation, callers):
            try:
                run_operation(app, operation, caller, anchors, statuses)
            except Exception as error:  # noqa: BLE001 (every failure is reported)
                failures[f"{operation.label} as {caller.name}"] = \
                    f"{type(error).__name__}: {str(error)[:2000]}"
        # Drawn examples may all miss the few objects a caller may touch: then every object
        # once, as every caller, until one is reached (checked like the rest).
        known = anchors.get(frozenset(p.name for p in operation.path_parameters), [])
        sweeps = ((caller, values) for values in known
                  for caller in callers_for(operation, callers))
        for caller, values in sweeps:
            if not set(statuses) <= {401, 403, 404}:
                break
            try:
                run_operation(app, operation, caller, anchors, statuses, sweep=values)
            except Exception as error:  # noqa: BLE001 (every failure is reported)
                failures[f"{operation.label} as {caller.name} on {values}"] = \
                    f"{type(error).__name__}: {str(error)[:2000]}"
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    # Each operation whose objects the demo has was reached past the login and the object
    # lookup at least once: the credentials and the anchors work, so the checks above saw real
    # answers. (An operation on objects of a kind not anchored here is still checked above.)
    anchored = {o.label for o in operations
                if not o.path_parameters or frozenset(p.name for p in o.path_parameters) in anchors}
    only_refused = {label for label, seen in reached.items()
                    if label in anchored and set(seen) <= {401, 403, 404}}
    assert not only_refused, {label: sorted(set(reached[label])) for label in only_refused}
