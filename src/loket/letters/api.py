"""A dossier's letters as JSON (see openapi.yaml beside this module): staff who may read the
dossier; the citizen receives the letters themselves."""

from pyramid.view import view_config

from loket.letters.kinds import letter_kinds
from loket.letters.resources import DossierLetters
from loket.security import Permission
from loket.web.openapi import API_ROUTE, iso, link


def letter_json(request, letter, kinds) -> dict:
    kind = kinds.get(letter.kind)
    document = letter.document
    reference = letter.dossier.reference
    return {
        "id": letter.id, "kind": letter.kind,
        "kind_title": request.localizer.translate(kind.title) if kind else letter.kind,
        "title": letter.title, "status": letter.status,
        "needs_signature": letter.needs_signature,
        "screening_reason": letter.screening_reason or None,
        "problem": (letter.details or {}).get("problem"),
        "signatories": [{"position": s.position, "name": s.name, "function": s.function,
                         "status": s.status, "signed": iso(s.signed) if s.signed else None}
                        for s in letter.signatories],
        "document": None if document is None else {
            "number": document.number, "sha256": document.current.sha256,
            "size": document.current.size,
            "content": link(request, "dossiers", reference, "documenten", document.number,
                            "inhoud")},
        "created": iso(letter.created), "changed": iso(letter.changed),
    }


@view_config(route_name=API_ROUTE, context=DossierLetters, permission=Permission.VIEW,
             caller_is_staff=True, request_method="GET", renderer="json")
def dossier_letters(context, request):
    kinds = letter_kinds(request.registry)
    reference = context.dossier.reference
    return {"dossier": reference,
            "letters": [letter_json(request, letter, kinds) for letter in context.all()],
            "links": {"self": link(request, "dossiers", reference, "brieven"),
                      "dossier": link(request, "dossiers", reference)}}
