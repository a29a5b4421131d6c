"""What staff see of the screening and the checks: two panels on the dossier page, a timeline
entry per check, and the JSON of ``/api/v1/dossiers/<reference>/controles``.

Both rest on personal data (income, social status, domicile): only staff who may view the
dossier see them; the citizen's page and integrators get none of it.
"""

from loket.checks.models import FAILED, NO_DATA, PASSED, PENDING
from loket.checks.runner import checks_of, overall, results_of
from loket.dossiers.panels import TimelineEntry, has_rows, once
from loket.i18n import _
from loket.workflow.presentation import localized

SYSTEM_NAME = "Loket"

# The words carry the meaning; the badge colour (an existing state colour) only helps to scan.
STATUS_WORDS = {
    PASSED: _("Met"), FAILED: _("Not met"), NO_DATA: _("No data"),
    PENDING: _("Pending"), "unknown": _("Check yourself"),
}
STATUS_BADGES = {  # CSS modifier of .badge
    PASSED: "goedgekeurd", FAILED: "geweigerd", NO_DATA: "vervollediging_gevraagd",
    PENDING: "concept", "unknown": "vervollediging_gevraagd",
}
TIMELINE_BADGES = {PASSED: "ok", FAILED: "error", NO_DATA: "warning", PENDING: "pending"}


def check_title(request, row, check: dict | None) -> str:
    translate = request.localizer.translate
    if row.check_type == "income_below":
        return translate(_("Income"))
    if row.check_type == "social_status":
        return translate(_("Social status ${status}",
                           mapping={"status": (check or {}).get("status", "")}))
    return row.code


def _word(request, status) -> str:
    word = STATUS_WORDS.get(status)
    return request.localizer.translate(word) if word is not None else str(status)


def _check_items(request, dossier):
    """The check results as the panel and the timeline show them (read once for both)."""
    return once(request, "checks", dossier, lambda: _items(request, dossier))


def _items(request, dossier):
    if not has_rows(request, dossier, "checks"):
        return []
    locale = request.locale_name
    by_code = {c["code"]: c for c in checks_of(dossier)}
    items = []
    for row in results_of(request.dbsession, dossier.id):
        check = by_code.get(row.code) or {}
        details = row.details or {}
        if row.status == PENDING:
            text = localized((check.get("text") or {}).get("pending") or {}, locale)
            summary = ""
        else:
            text = localized(details.get("text") or {}, locale)
            summary = localized(details.get("summary") or {}, locale)
        items.append({"row": row, "title": check_title(request, row, check), "text": text,
                      "summary": summary, "word": _word(request, row.status),
                      "badge": STATUS_BADGES.get(row.status, "concept")})
    return items


# --- panels -------------------------------------------------------------------------------------

def screening_panel(request, dossier):
    screening = dossier.screening
    if not screening:
        return None
    locale = request.locale_name
    return {
        "outcome": screening.get("outcome"),
        "word": _word(request, screening.get("outcome")),
        "badge": STATUS_BADGES.get(screening.get("outcome"), "concept"),
        "at": screening.get("at"),
        "results": [{**r, "text": localized(r.get("text") or {}, locale),
                     "word": _word(request, r.get("outcome")),
                     "badge": STATUS_BADGES.get(r.get("outcome"), "concept")}
                    for r in screening.get("results") or []],
    }


def checks_panel(request, dossier):
    items = _check_items(request, dossier)
    if not items and not checks_of(dossier):
        return None
    result = overall(dossier, [i["row"] for i in items]) if items else None
    return {
        "items": items,
        "mode": dossier.type_version.definition.get("checks_mode") or "all",
        "outcome": result,
        "word": _word(request, result) if result else "",
        "badge": STATUS_BADGES.get(result, "concept"),
    }


# --- timeline -----------------------------------------------------------------------------------

def timeline(request, dossier) -> list[TimelineEntry]:
    translate = request.localizer.translate
    return [
        TimelineEntry(
            occurred=item["row"].checked or item["row"].requested, kind="check",
            title=translate(_("Automatic check: ${name}", mapping={"name": item["title"]})),
            detail=item["summary"] or item["text"], actor=SYSTEM_NAME,
            status=item["word"],
            extra={"badge": TIMELINE_BADGES.get(item["row"].status, "pending"),
                   "attempts": item["row"].attempts})
        for item in _check_items(request, dossier)
    ]


# --- JSON ---------------------------------------------------------------------------------------

def _iso(moment):
    return moment.isoformat() if moment else None


def controls_json(request, dossier) -> dict:
    definition = dossier.type_version.definition
    by_code = {c["code"]: c for c in checks_of(dossier)}
    rows = results_of(request.dbsession, dossier.id)
    screening = dossier.screening
    items = []
    for row in rows:
        details = dict(row.details or {})
        text = details.pop("text", None)
        summary = details.pop("summary", None)
        if row.status == PENDING:
            text = ((by_code.get(row.code) or {}).get("text") or {}).get("pending")
        items.append({
            "code": row.code, "type": row.check_type, "status": row.status,
            "source": row.source, "requested": _iso(row.requested), "checked": _iso(row.checked),
            "attempts": row.attempts, "last_error": row.last_error,
            "summary": summary, "text": text, "details": details,
        })
    return {
        "reference": dossier.reference,
        "screening": None if not screening else {
            "at": screening.get("at"), "outcome": screening.get("outcome"),
            "results": [{k: r.get(k) for k in ("code", "rule", "outcome", "text")}
                        for r in screening.get("results") or []]},
        "checks": {
            "mode": definition.get("checks_mode") or "all",
            "outcome": overall(dossier, rows) if rows else None,
            "items": items,
        },
    }
