"""The export file of a dossier type: one readable YAML document, all versions or some.

::

    format: loket-dossier-type/1
    code: verwarmingstoelage
    versions:
    - number: 1
      status: published            # or concept
      valid_from: 2026-01-01       # published versions only
      valid_until: null
      published: '2025-12-15T09:00:00+00:00'
      definition: {...}            # see loket.catalogue.definition

:func:`parse_import` checks a whole file and reports every problem with its location; it
touches no database (the services add the checks that need one).
"""

from datetime import date, datetime

import yaml

from loket.catalogue.definition import Problem, code_problems, normalise
from loket.catalogue.models import CONCEPT, PUBLISHED
from loket.catalogue.validation import validate_definition

FORMAT = "loket-dossier-type/1"
VERSION_KEYS = ("number", "status", "valid_from", "valid_until", "published", "definition")
MAX_BYTES = 2 * 1024 * 1024


class _Dumper(yaml.SafeDumper):
    """Multi-line texts (templates) as literal blocks, so the file reads like the letter."""


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)


def version_data(version) -> dict:
    return {
        "number": version.number,
        "status": version.status,
        "valid_from": version.valid_from,
        "valid_until": version.valid_until,
        "published": version.published.isoformat() if version.published else None,
        "definition": version.definition,
    }


def type_data(dossier_type, numbers=None) -> dict:
    versions = [v for v in dossier_type.versions if numbers is None or v.number in numbers]
    return {"format": FORMAT, "code": dossier_type.code,
            "versions": [version_data(v) for v in versions]}


def export_text(dossier_type, numbers=None) -> str:
    title = dossier_type.versions[-1].title("nl") if dossier_type.versions else ""
    header = (f"# Loket dossier type {dossier_type.code!r} ({title}).\n"
              f"# Import it in another Loket under /catalogus/@@importeren.\n")
    return header + dump_yaml(type_data(dossier_type, numbers))


# ---------------------------------------------------------------------------------------------
# Import


def parse_import(text: str, workflows=None,
                 registry=None) -> tuple[dict | None, list[Problem]]:
    """``(data, problems)``: the file's content with normalised definitions, and everything
    wrong with it. ``data`` is only to be used when ``problems`` is empty."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        return None, [Problem("", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    try:
        # Aliases could make a small file expand without bound; an export never has any.
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=yaml.SafeLoader)):
            return None, [Problem("", "YAML aliases (*name) are not allowed")]
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        message = getattr(error, "problem", None) or str(error)
        return None, [Problem(where, f"not valid YAML: {message}")]
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return None, [Problem("", "the file must be a mapping with format, code and versions")]
    for key in data:
        if key not in ("format", "code", "versions"):
            problems.append(Problem(str(key), f"unknown key {key!r}"))
    if data.get("format") != FORMAT:
        problems.append(Problem("format", f"must be {FORMAT!r}"))
    problems += code_problems(data.get("code"))
    versions = data.get("versions")
    if not isinstance(versions, list) or not versions:
        problems.append(Problem("versions", "needs at least one version"))
        return None, problems
    numbers: set = set()
    periods = []
    concepts = 0
    for i, version in enumerate(versions):
        here = f"versions[{i}]"
        if not isinstance(version, dict):
            problems.append(Problem(here, "must be a mapping"))
            continue
        for key in version:
            if key not in VERSION_KEYS:
                problems.append(Problem(f"{here}.{key}", f"unknown key {key!r}"))
        number = version.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            problems.append(Problem(f"{here}.number", "must be a whole number from 1"))
        elif number in numbers:
            problems.append(Problem(f"{here}.number", f"duplicate version number {number}"))
        else:
            numbers.add(number)
        status = version.get("status")
        if status not in (CONCEPT, PUBLISHED):
            problems.append(Problem(f"{here}.status", "must be concept or published"))
        concepts += status == CONCEPT
        problems += _dates(version, here, status, periods)
        if "definition" not in version:
            problems.append(Problem(f"{here}.definition", "is missing"))
        else:
            version["definition"] = normalise(version["definition"])
            problems += [Problem(f"{here}.definition.{p.location}" if p.location
                                 else f"{here}.definition", p.message)
                         for p in validate_definition(version["definition"], workflows,
                                                      registry)]
    if concepts > 1:
        problems.append(Problem("versions", "only one version can be a concept"))
    problems += _overlaps(periods)
    return data, problems


def as_date(value) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dates(version, here, status, periods) -> list[Problem]:
    problems = []
    start, end = version.get("valid_from"), version.get("valid_until")
    if status == CONCEPT:
        return [Problem(f"{here}.{key}", "a concept has no validity period yet")
                for key in ("valid_from", "valid_until") if version.get(key) is not None]
    if status != PUBLISHED:
        return problems
    valid_from = as_date(start)
    if valid_from is None:
        problems.append(Problem(f"{here}.valid_from", "a published version needs a date "
                                                      "(YYYY-MM-DD)"))
    valid_until = as_date(end) if end is not None else None
    if end is not None and valid_until is None:
        problems.append(Problem(f"{here}.valid_until", "must be a date (YYYY-MM-DD) or null"))
    if valid_from and valid_until and valid_until < valid_from:
        problems.append(Problem(f"{here}.valid_until", "is before valid_from"))
    published = version.get("published")
    if published is not None:
        try:
            moment = published if isinstance(published, datetime) else \
                datetime.fromisoformat(str(published))
            if moment.tzinfo is None:
                raise ValueError
        except ValueError:
            problems.append(Problem(f"{here}.published", "must be a date and time with a time "
                                                         "zone (ISO 8601)"))
    if valid_from:
        periods.append((here, version.get("number"), valid_from, valid_until))
    return problems


def _overlaps(periods) -> list[Problem]:
    problems = []
    periods = sorted(periods, key=lambda p: p[2])
    for (_here_a, number_a, _start_a, end_a), (here_b, number_b, start_b, _end_b) in zip(
            periods, periods[1:], strict=False):
        if end_a is None or end_a >= start_b:
            problems.append(Problem(f"{here_b}.valid_from", f"version {number_b} starts while "
                                                            f"version {number_a} is in force"))
    return problems


def published_moment(value) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
