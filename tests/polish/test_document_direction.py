"""Who sent what: on the citizen's page a document the handler added is the municipality's,
never "sent by you"."""

from loket.documents.models import Document


def test_handler_document_is_not_sent_by_the_citizen(testapp, login, factories, dbsession,
                                                     submitted, handler, applicant):
    own = dbsession.query(Document).filter_by(dossier_id=submitted.id).one()
    own.created_by_id = applicant.id
    added = factories.document(submitted, title="Verslag huisbezoek")
    added.created_by_id = handler.id
    dbsession.flush()
    login(applicant)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    text = " ".join(page.html.get_text(" ").split())
    received_at, sent_at = text.index("Van ons ontvangen"), text.index("Door jou bezorgd")
    # The handler's report sits in the municipality's list, the invoice in the citizen's.
    assert received_at < text.index("Verslag huisbezoek") < sent_at
    assert sent_at < text.index("Factuur stookolie")
