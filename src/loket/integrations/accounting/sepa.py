"""Payment orders as a SEPA credit-transfer file: the ``sepa-bestand`` plug-in, for
accounting packages that import payment files.

Settings (``loket.integrations.accounting = sepa-bestand``)::

    loket.integrations.sepa-bestand.directory = /srv/boekhouding/import   (the import folder)
    loket.integrations.sepa-bestand.version = pain.001.001.03   (or pain.001.001.09)

Each approval (a batch) becomes one ``pain.001.001.03`` file by default: the ISO 20022 (2009)
version that Febelfin's Belgian implementation guidelines (“XML message for Credit Transfer
Initiation”, v3.x) describe and Belgian banks take. A package that imports the 2019 version
(the one the EPC rulebooks moved the interbank space to) gets ``pain.001.001.09``. Both:
``SvcLvl`` SEPA, charges ``SLEV``, the creditor's BIC only where known or needed, the
initiating party identified by its KBO number (``OrgId/Othr/Id`` with ``Issr`` KBO-BCE).
sepaxml writes the transfers; the file is checked against the official XSD before it is
queued, and written to the folder by the worker under the batch's name (write then rename:
the package never reads half a file; a retry rewrites the same name). Paid and rejected come
back on the bank's statements, so finance records them in Loket.
"""

import functools
import os
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import colander
from lxml import etree
from sepaxml import SepaTransfer

from loket.i18n import local_now
from loket.outbox import PermanentFailure, TemporaryFailure
from loket.plugins.kinds import InvalidInput
from loket.plugins.registry import Kind, Plugin

NAME = "sepa-bestand"
OUTBOX_KIND = "accounting.sepa"
VERSIONS = ("pain.001.001.03", "pain.001.001.09")


@functools.cache
def _schema(version: str) -> etree.XMLSchema:
    # sepaxml ships the ISO 20022 message archive's XSD of each version.
    import sepaxml

    path = files(sepaxml).joinpath("schemas", f"{version}.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


def credit_transfer(debtor, batch: str, instructions, version: str = VERSIONS[0]) -> bytes:
    """The pain.001 document for one batch; raises :class:`InvalidInput` when it would not
    be valid against the XSD."""
    namespace = f"urn:iso:std:iso:20022:tech:xsd:{version}"
    config = {"name": debtor.name, "IBAN": debtor.iban, "batch": True, "currency": "EUR"}
    if debtor.bic:
        config["BIC"] = debtor.bic
    transfer = SepaTransfer(config, schema=version, clean=True)
    for item in instructions:
        payment = {"name": item.creditor_name, "IBAN": item.iban,
                   "amount": int(item.amount * 100),
                   "execution_date": max(item.due_date, local_now().date()),
                   "description": item.remittance, "endtoend_id": item.end_to_end_id}
        if item.bic:
            payment["BIC"] = item.bic
        transfer.add_payment(payment)
    document = etree.fromstring(transfer.export(validate=False))
    ns = {"p": namespace}
    header = document.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    header.find("p:MsgId", ns).text = batch
    if debtor.kbo:  # Febelfin: the initiating party's enterprise number
        other = etree.SubElement(etree.SubElement(etree.SubElement(
            header.find("p:InitgPty", ns), f"{{{namespace}}}Id"), f"{{{namespace}}}OrgId"),
            f"{{{namespace}}}Othr")
        etree.SubElement(other, f"{{{namespace}}}Id").text = debtor.kbo
        etree.SubElement(other, f"{{{namespace}}}Issr").text = "KBO-BCE"
    schema = _schema(version)
    if not schema.validate(document):
        raise InvalidInput("; ".join(str(e.message) for e in schema.error_log)[:500])
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


@dataclass(frozen=True)
class SepaFile:
    """The kind's implementation (:class:`loket.plugins.kinds.Accounting`)."""

    title: str
    version: str = VERSIONS[0]
    reports_back: bool = False
    client_id: str | None = None
    outbox_kind: str = OUTBOX_KIND

    def messages(self, debtor, batch, instructions) -> list[dict]:
        xml = credit_transfer(debtor, batch, instructions, self.version)
        return [{"filename": f"{batch}.xml", "xml": xml.decode("utf-8")}]


def make_deliverer(directory: str):
    folder = Path(directory)

    def deliver_sepa_file(message, context):
        name = message.payload.get("filename", "")
        if not name or "/" in name or name.startswith("."):
            raise PermanentFailure("sepa-bestand: the message has no file name")
        try:
            with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".", suffix=".part",
                                             encoding="utf-8", delete=False) as part:
                part.write(message.payload["xml"])
            os.replace(part.name, folder / name)
        except OSError as exc:  # a full disk, a folder not mounted: try again later
            raise TemporaryFailure(f"cannot write the file ({type(exc).__name__})") from exc

    return deliver_sepa_file


def _writable_folder(node, value):
    if not os.path.isdir(value) or not os.access(value, os.W_OK):
        raise colander.Invalid(node, "not a folder Loket may write to")


class SepaFileOptions(colander.MappingSchema):
    directory = colander.SchemaNode(colander.String(), validator=_writable_folder)
    title = colander.SchemaNode(colander.String(), missing="Boekhoudpakket (SEPA-bestand)")
    version = colander.SchemaNode(colander.String(), missing=VERSIONS[0],
                                  validator=colander.OneOf(VERSIONS))


def setup(config, options):
    config.add_outbox_deliverer(OUTBOX_KIND, make_deliverer(options["directory"]))
    return SepaFile(title=options["title"], version=options["version"])


def check(options) -> dict:
    ok = os.path.isdir(options["directory"]) and os.access(options["directory"], os.W_OK)
    return {"status": "ok"} if ok else {"status": "error", "error": "folder not writable"}


PLUGIN = Plugin(kind=Kind.ACCOUNTING, name=NAME, title="Boekhoudpakket via SEPA-bestand",
                options=SepaFileOptions(), setup=setup, check=check)
