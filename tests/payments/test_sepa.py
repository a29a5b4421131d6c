"""The SEPA credit-transfer file (pain.001.001.03, Febelfin's guidelines): valid against the
official XSD, one per approved batch, written whole into the accounting's import folder."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from loket.integrations.accounting.sepa import SepaFile, credit_transfer, make_deliverer
from loket.outbox import DeliveryContext, Message
from loket.outbox.models import OutboxMessage
from loket.plugins.kinds import Debtor, InvalidInput, PaymentInstruction
from loket.plugins.registry import Kind
from tests.payments.test_approval import approve, stage

FIXTURES = Path(__file__).parent / "fixtures"
XSD = etree.XMLSchema(etree.parse(str(FIXTURES / "pain.001.001.03.xsd")))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DEBTOR = Debtor("Gemeente Heidebeek", "BE10091012345604", "GKCCBEBB", "0207123407")


def instruction(number, **changes):
    return PaymentInstruction(**{
        "end_to_end_id": f"LOKET-2026-00012{number}-1", "dossier": f"2026-00012{number}",
        "creditor_name": "Jan Peeters", "iban": "BE68539007547034", "bic": None,
        "amount": Decimal("284.10"), "remittance": f"Verwarmingstoelage 2026-00012{number}",
        "due_date": date(2030, 1, 31), "budget_code": "0900-00/64900000",
        "callback_url": "http://localhost/x", **changes})


def test_a_batch_is_a_valid_pain_001_with_the_belgian_details():
    xml = credit_transfer(DEBTOR, "LOKET-20261203-AB12CD34", [
        instruction(1), instruction(2, iban="CH9300762011623852957", bic="UBSWCHZH80A",
                                    amount=Decimal("50.00"), creditor_name="Zoë Müller")])
    document = etree.fromstring(xml)
    XSD.assertValid(document)
    header = document.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header.findtext("p:MsgId", namespaces=NS) == "LOKET-20261203-AB12CD34"
    assert (header.findtext("p:NbOfTxs", namespaces=NS),
            header.findtext("p:CtrlSum", namespaces=NS)) == ("2", "334.10")
    assert header.findtext("p:InitgPty/p:Id/p:OrgId/p:Othr/p:Id", namespaces=NS) == \
        "0207123407"
    assert header.findtext("p:InitgPty/p:Id/p:OrgId/p:Othr/p:Issr", namespaces=NS) == \
        "KBO-BCE"
    info = document.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=NS) == "SEPA"
    assert info.findtext("p:ReqdExctnDt", namespaces=NS) == "2030-01-31"
    assert info.findtext("p:ChrgBr", namespaces=NS) == "SLEV"
    transfers = info.findall("p:CdtTrfTxInf", NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in transfers] == \
        ["LOKET-2026-000121-1", "LOKET-2026-000122-1"]
    # A Belgian account without a known BIC goes IBAN-only; Swiss needs the BIC.
    assert transfers[0].find("p:CdtrAgt", NS) is None
    assert transfers[1].findtext("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == \
        "UBSWCHZH80A"
    assert transfers[1].findtext("p:Cdtr/p:Nm", namespaces=NS) == "Zoe Muller"  # Latin set
    assert "2026-000121" in transfers[0].findtext("p:RmtInf/p:Ustrd", namespaces=NS)


def test_the_2019_version_on_request_is_valid_too():
    xml = credit_transfer(DEBTOR, "LOKET-20261203-AB12CD34", [instruction(1)],
                          "pain.001.001.09")
    document = etree.fromstring(xml)
    etree.XMLSchema(etree.parse(str(FIXTURES / "pain.001.001.09.xsd"))).assertValid(document)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    assert document.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:ReqdExctnDt/p:Dt",
                             namespaces=ns) == "2030-01-31"
    assert document.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BICFI",
                             namespaces=ns) == "GKCCBEBB"


def test_what_the_xsd_refuses_is_never_queued():
    with pytest.raises(InvalidInput):
        credit_transfer(DEBTOR, "LOKET-1", [instruction(1, iban="BE68 5390")])


def test_the_file_is_written_whole_and_again_on_a_retry(tmp_path):
    [payload] = SepaFile("Boekhouding").messages(DEBTOR, "LOKET-20261203-AB12CD34",
                                                 [instruction(1)])
    deliver = make_deliverer(str(tmp_path))
    message = Message(id=1, kind="accounting.sepa", payload=payload, idempotency_key="k",
                      ordering_key=None, dossier_id=None, attempts=0, created=datetime.now(UTC))
    context = DeliveryContext(settings={}, registry=None, http=None, timeout=1, worker="t")
    deliver(message, context)
    deliver(message, context)
    [written] = list(tmp_path.iterdir())
    assert written.name == "LOKET-20261203-AB12CD34.xml"
    XSD.assertValid(etree.parse(str(written)))


def test_approval_queues_one_file_for_the_batch(testapp, login, finance, granted, handler, app,
                                                dbsession, plug_in):
    plug_in(Kind.ACCOUNTING, SepaFile("Boekhouding"))
    order = stage(app, dbsession, granted, handler)
    login(finance)
    approve(testapp, order)
    dbsession.flush()
    [message] = dbsession.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "accounting.sepa")).all()
    XSD.assertValid(etree.fromstring(message.payload["xml"].encode()))
    assert message.payload["filename"] == f"{order.batch}.xml"
    # No report comes back from a file: finance records the bank's outcome.
    assert "betaald-op" in testapp.get("/betalingen?lijst=verzonden").text


def test_finance_records_paid_and_rejected_for_a_file(testapp, login, finance, granted,
                                                      handler, app, dbsession, plug_in):
    from tests.conftest import csrf_token

    plug_in(Kind.ACCOUNTING, SepaFile("Boekhouding"))
    order = stage(app, dbsession, granted, handler)
    login(finance)
    approve(testapp, order)
    token = csrf_token(testapp)
    testapp.post("/betalingen/afhandelen", {"csrf_token": token, "order": str(order.id),
                                            "outcome": "geweigerd"}, status=400)
    testapp.post("/betalingen/afhandelen", {"csrf_token": token, "order": str(order.id),
                                            "outcome": "betaald", "paid_on": "2999-01-01"},
                 status=400)
    assert (order.status, granted.state) == ("sent", "klaar_voor_betaling")
    testapp.post("/betalingen/afhandelen", {"csrf_token": token, "order": str(order.id),
                                            "outcome": "geweigerd", "reason_code": "XX99"},
                 status=400)
    testapp.post("/betalingen/afhandelen", {"csrf_token": token, "order": str(order.id),
                                            "outcome": "betaald"}, status=302)
    assert (order.status, granted.state) == ("paid", "betaald")
    assert order.dossier.reference in testapp.get("/betalingen?lijst=betaald").text


def test_finance_records_a_closed_account(testapp, login, finance, granted, handler, app,
                                          dbsession, plug_in):
    from tests.conftest import csrf_token

    plug_in(Kind.ACCOUNTING, SepaFile("Boekhouding"))
    order = stage(app, dbsession, granted, handler)
    login(finance)
    approve(testapp, order)
    testapp.post("/betalingen/afhandelen", {"csrf_token": csrf_token(testapp),
                                            "order": str(order.id), "outcome": "geweigerd",
                                            "reason_code": "AC04"}, status=302)
    assert (order.status, order.reason_code, granted.state) == \
        ("rejected", "AC04", "klaar_voor_betaling")
    assert "AC04" in testapp.get("/betalingen?lijst=geweigerd").text
