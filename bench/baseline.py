"""The bare ceiling of this stack: Pyramid + pyramid_tm + zope.sqlalchemy + SQLAlchemy 2 +
Jinja2, and nothing else — no security policy, sessions, traversal, tweens or translations.

It reads Loket's own ``dossiers`` table (mapped here without relationships), so the rows, the
indexes and the database are exactly those Loket reads in the same run:

    /dossier/{id}        one row by primary key, rendered with a small Jinja2 template
    /dossier/{id}.json   the same row as JSON
    /list?team=&after=   50 rows of a team by keyset pagination over ix_dossiers_team_created,
    /list.json?…         as HTML and as JSON; ``after`` is ``<created ISO>,<id>`` of the last
                         row seen (the ``next`` value of the previous page); ``size`` asks for
                         another number of rows (at most 500), the counterpart of a Loket page
                         that shows more than 50 (the signing folder, a meeting)
    /health              "ok", without touching the database

Served by gunicorn from a paste .ini (``use = call:bench.baseline:main``) that
:mod:`bench.run` writes next to Loket's.
"""

from datetime import UTC, datetime

import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound
from pyramid.response import Response
from sqlalchemy import JSON, DateTime, Integer, String, engine_from_config, select, tuple_
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

PAGE_SIZE = 50
MAX_SIZE = 500


class Base(DeclarativeBase):
    pass


class BareDossier(Base):
    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16))
    type_version_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(16))
    applicant_id: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int] = mapped_column(Integer)
    handler_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_dict(dossier: BareDossier) -> dict:
    return {"id": dossier.id, "reference": dossier.reference, "title": dossier.title,
            "state": dossier.state, "team_id": dossier.team_id,
            "created": aware(dossier.created).isoformat(),
            "modified": aware(dossier.modified).isoformat(),
            "version": dossier.version, "data": dossier.data or {}}


def one_dossier(request) -> BareDossier:
    try:
        dossier_id = int(request.matchdict["id"])
    except ValueError as exc:
        raise HTTPNotFound() from exc
    dossier = request.dbsession.get(BareDossier, dossier_id)
    if dossier is None:
        raise HTTPNotFound()
    return dossier


def dossier_page(request):
    return {"dossier": one_dossier(request)}


def dossier_json(request):
    return as_dict(one_dossier(request))


def keyset_page(request) -> dict:
    try:
        team_id = int(request.params["team"])
        size = min(int(request.params.get("size", PAGE_SIZE)), MAX_SIZE)
        after = request.params.get("after")
        if after:
            created, _, last_id = after.rpartition(",")
            after = (datetime.fromisoformat(created), int(last_id))
    except (KeyError, ValueError) as exc:
        raise HTTPBadRequest() from exc
    query = select(BareDossier).where(BareDossier.team_id == team_id)
    if after:
        moment = after[0]
        if request.dbsession.get_bind().dialect.name == "sqlite":
            moment = moment.astimezone(UTC).replace(tzinfo=None)  # stored naive, in UTC
        query = query.where(tuple_(BareDossier.created, BareDossier.id) < (moment, after[1]))
    rows = request.dbsession.scalars(
        query.order_by(BareDossier.created.desc(), BareDossier.id.desc()).limit(size)
    ).all()
    last = rows[-1] if len(rows) == size else None
    return {"dossiers": rows, "team": team_id,
            "next": f"{aware(last.created).isoformat()},{last.id}" if last else None}


def list_page(request):
    return keyset_page(request)


def list_json(request):
    page = keyset_page(request)
    return {"items": [as_dict(d) for d in page["dossiers"]], "next": page["next"]}


def health(request):
    return Response("ok", content_type="text/plain")


def main(global_config, **settings):
    settings = dict(settings)
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    engine = engine_from_config(settings, "sqlalchemy.")
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with Configurator(settings=settings) as config:
        config.include("pyramid_tm")
        config.include("pyramid_jinja2")
        config.add_jinja2_renderer(".jinja2")

        def dbsession(request):
            session = factory()
            zope.sqlalchemy.register(session, transaction_manager=request.tm)
            return session

        config.add_request_method(dbsession, reify=True)
        config.add_route("dossier_json", "/dossier/{id}.json")
        config.add_route("dossier", "/dossier/{id}")
        config.add_route("list_json", "/list.json")
        config.add_route("list", "/list")
        config.add_route("health", "/health")
        config.add_view(dossier_json, route_name="dossier_json", renderer="json")
        config.add_view(dossier_page, route_name="dossier",
                        renderer="bench:templates/dossier.jinja2")
        config.add_view(list_json, route_name="list_json", renderer="json")
        config.add_view(list_page, route_name="list", renderer="bench:templates/list.jinja2")
        config.add_view(health, route_name="health")
    return config.make_wsgi_app()
