"""Reading the bank's statements: CODA (Febelfin's "Coded statement of account", version 2)
with ``febelfin-coda``, and ISO 20022 camt.053.001.02 (the version Belgian banks deliver under
Febelfin's implementation guidelines), checked against the official XSD and read with
``pycamt``.

:func:`read` recognises the format from the content, never from the file name, and gives the
credit lines with their structured reference; a file in neither format, or a broken one, is a
:class:`StatementError` with a message for finance. No network, no entities (XXE).
"""

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from loket.claims import reference as references
from loket.claims.models import CAMT053, CODA
from loket.i18n import _

CAMT_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
XSD = Path(__file__).parent / "xsd" / "camt.053.001.02.xsd"
MAX_BYTES = 5 * 1024 * 1024


class StatementError(ValueError):
    """Not a statement Loket reads; ``message`` is a translation string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Line:
    """A credit on the municipality's account."""

    bank_reference: str
    booked: date
    amount: Decimal
    reference: str | None  # a valid structured reference, 12 digits
    communication: str = ""
    payer_name: str = ""
    payer_account: str = ""

    def key(self, account: str) -> str:
        """The line's identity across files: the same credit in two statements is one."""
        raw = "|".join((account, self.bank_reference, self.booked.isoformat(),
                        f"{self.amount:.2f}", self.reference or ""))
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class Statement:
    format: str
    identification: str
    account: str
    lines: list[Line] = field(default_factory=list)


def read(data: bytes) -> Statement:
    if not data or len(data) > MAX_BYTES:
        raise StatementError(_("The file is empty or too large for a statement."))
    start = data.lstrip()[:5]
    if start.startswith(b"<"):
        return read_camt053(data)
    if start.startswith(b"0"):
        return read_coda(data)
    raise StatementError(_("This is not a bank statement Loket can read: import a CODA file or "
                           "a camt.053 file."))


# -- camt.053 -------------------------------------------------------------------------------


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD), _parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


def validate_camt053(data: bytes) -> etree._Element:
    """The document, valid against the official camt.053.001.02 schema; else StatementError."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        raise StatementError(_("The file is not well-formed XML.")) from None
    if root.tag != f"{{{CAMT_NAMESPACE}}}Document":
        raise StatementError(_("This XML file is not a camt.053.001.02 bank statement."))
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        raise StatementError(_("The camt.053 file does not follow the standard (line ${line}: "
                               "${message}).", mapping={"line": error.line,
                                                        "message": error.message[:200]}))
    return root


def _decimal(value) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise InvalidOperation(value)
    return amount.quantize(Decimal("0.01"))


def read_camt053(data: bytes) -> Statement:
    from pycamt.parser import Camt053ParseError, Camt053Parser

    root = validate_camt053(data)
    try:
        parser = Camt053Parser(etree.tostring(root))
    except Camt053ParseError:
        raise StatementError(_("This XML file is not a camt.053.001.02 bank statement.")) \
            from None
    namespaces = {"c": CAMT_NAMESPACE}
    account = root.findtext(".//c:Stmt/c:Acct/c:Id/c:IBAN", namespaces=namespaces) or ""
    identification = "/".join(root.xpath("./c:BkToCstmrStmt/c:Stmt/c:Id/text()",
                                         namespaces=namespaces))[:100]
    statement = Statement(CAMT053, identification, account)
    try:
        for entry in parser.get_transactions():
            line = _camt_line(entry)
            if line is not None:
                statement.lines.append(line)
    except (ValueError, KeyError, TypeError, InvalidOperation):
        # Valid against the schema, but without what a booked credit needs (a booking date …).
        raise StatementError(_("The camt.053 file lacks the booking date or amount of an "
                               "entry.")) from None
    return statement


def _camt_line(entry: dict) -> Line | None:
    """A booked credit in euro, or None (debits, reversals, pending entries are no payment)."""
    if (entry.get("CreditDebitIndicator") != "CRDT" or entry.get("Currency") != "EUR"
            or entry.get("Status") != "BOOK" or entry.get("ReversalIndicator") == "true"):
        return None
    remittance = entry.get("RemittanceInformation") or ""
    reference = references.parse(remittance)
    return Line(
        bank_reference=(entry.get("TransactionID") or entry.get("EndToEndId") or "")[:64],
        booked=date.fromisoformat((entry.get("BookingDate") or "")[:10]),
        amount=_decimal(entry["Amount"]), reference=reference,
        communication="" if reference else remittance[:140],
        payer_name=(entry.get("DebtorName") or "")[:140],
        payer_account=(entry.get("DebtorIBAN") or "")[:34])


# -- CODA -----------------------------------------------------------------------------------

# Communication types of a movement (CODA 2.6, record 2.1 position 62): 101 and 102 are the
# Belgian structured reference.
STRUCTURED = {"101", "102"}


def read_coda(data: bytes) -> Statement:
    from coda import CODA as CodaFile

    text = data.decode("cp1252", errors="replace")
    records = text.splitlines()
    if not records or len(records[0]) < 128 or records[0][127] != "2":
        raise StatementError(_("The file is not a CODA statement of version 2."))
    try:
        parsed = CodaFile(io.StringIO("\n".join(r.ljust(128) for r in records) + "\n"))
        statements = []
        for coda_statement in parsed.statements:
            if coda_statement.number_records is None:  # no trailer: the totals are unchecked
                raise ValueError("no trailer record")
            account = coda_statement.account or ""
            statement = Statement(CODA, f"{account}/{coda_statement.new_sequence}/"
                                        f"{coda_statement.creation_date.isoformat()}", account)
            for move in coda_statement.moves:
                if move.amount <= 0:
                    continue
                structured = move.communication_type in STRUCTURED
                reference = references.parse(move.communication) if structured else None
                statement.lines.append(Line(
                    bank_reference=f"{move.bank_reference.strip()}/{move.sequence}"[:64],
                    booked=move.entry_date, amount=_decimal(move.amount), reference=reference,
                    communication="" if reference else (move.communication or "").strip()[:140],
                    payer_name=(move.counterparty_name or "").strip()[:140],
                    payer_account=((move.counterparty_account or "").split() or [""])[0][:34]))
            statements.append(statement)
    except (AssertionError, ValueError, IndexError, KeyError, TypeError, AttributeError,
            InvalidOperation):
        raise StatementError(_("The CODA file is damaged: its records or totals do not add "
                               "up.")) from None
    if len(statements) != 1:
        raise StatementError(_("Import one CODA statement per file."))
    return statements[0]
