"""Bank statements written for the tests from the published formats: CODA version 2 (Febelfin,
"Coded statement of account", records 0, 1, 2.1–2.3, 8 and 9, 128 characters each) and ISO
20022 camt.053.001.02 (Febelfin's Belgian implementation guidelines: the structured reference in
``RmtInf/Strd/CdtrRefInf`` with type ``SCOR`` and issuer ``BBA``)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

ACCOUNT = "BE10091012345604"  # the demo municipality's account


@dataclass
class Credit:
    amount: Decimal
    reference: str | None = None  # 12 digits, structured
    text: str = ""  # free communication when there is no reference
    bank_reference: str = ""
    payer: str = "Lotte Wouters"
    payer_account: str = "BE71096123456769"
    booked: date = date(2026, 12, 2)
    debit: bool = False


def _coda_amount(amount: Decimal, width: int = 15, signed: bool = True) -> str:
    digits = f"{int(abs(amount) * 1000):0{width}d}"
    return (("1" if amount < 0 else "0") + digits) if signed else digits


def _record(text: str) -> str:
    assert len(text) == 128, (len(text), text)
    return text


def coda(credits: list[Credit], account: str = ACCOUNT, sequence: int = 1,
         created: date = date(2026, 12, 3), old_balance: Decimal = Decimal("1000.00")) -> bytes:
    day = created.strftime("%d%m%y")
    account_field = account.ljust(34) + "EUR"
    records = [_record(
        "0" + "0000" + day + "725" + "05" + " " + " " * 7 + "0000000001"
        + "GEMEENTE HEIDEBEEK".ljust(26)
        + "KREDBEBB".ljust(11) + "00212567877" + " " + "00000" + "".ljust(16) + " "
        + "".ljust(15) + " " * 7 + "2")]
    records.append(_record(
        "1" + "2" + f"{sequence:03d}" + account_field + _coda_amount(old_balance) + day
        + "GEMEENTE HEIDEBEEK".ljust(26) + "Rekening retributies".ljust(35) + f"{sequence:03d}"))
    debit = credit = Decimal("0")
    for number, line in enumerate(credits, start=1):
        amount = -line.amount if line.debit else line.amount
        if amount < 0:
            debit += -amount
        else:
            credit += amount
        if line.reference:
            communication = "1" + "101" + line.reference + " " * 38
        else:
            communication = "0" + line.text[:53].ljust(53)
        bank_reference = (line.bank_reference or f"REF{sequence:03d}{number:05d}").ljust(21)[:21]
        booked = line.booked.strftime("%d%m%y")
        records.append(_record(
            "21" + f"{number:04d}" + "0000" + bank_reference + _coda_amount(amount) + booked
            + ("10150000" if line.debit else "00150000") + communication + booked
            + f"{sequence:03d}" + "0" + "1" + " " + "0"))
        records.append(_record(
            "22" + f"{number:04d}" + "0000" + " " * 53 + "".ljust(35) + "GKCCBEBB".ljust(11)
            + " " * 3 + " " + "    " + "    " + "    " + "1" + " " + "0"))
        records.append(_record(
            "23" + f"{number:04d}" + "0000" + line.payer_account.ljust(34) + "EUR"
            + line.payer[:35].ljust(35) + " " * 43 + "0" + " " + "0"))
    new_balance = old_balance + credit - debit
    records.append(_record(
        "8" + f"{sequence:03d}" + account_field + _coda_amount(new_balance) + day + " " * 64
        + "0"))
    count = len(records) - 1
    records.append(_record(
        "9" + " " * 15 + f"{count:06d}" + _coda_amount(debit, signed=False)
        + _coda_amount(credit, signed=False) + " " * 75 + "2"))
    return ("\r\n".join(records) + "\r\n").encode("cp1252")


def camt053(credits: list[Credit], account: str = ACCOUNT, statement_id: str = "2026-335",
            message_id: str = "MSG-2026-335") -> bytes:
    entries = []
    for number, line in enumerate(credits, start=1):
        if line.reference:
            remittance = ("<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry>"
                          f"<Issr>BBA</Issr></Tp><Ref>{line.reference}</Ref></CdtrRefInf></Strd>")
        else:
            remittance = f"<Ustrd>{escape(line.text)}</Ustrd>"
        booked = line.booked.isoformat()
        entries.append(f"""
      <Ntry>
        <Amt Ccy="EUR">{line.amount:.2f}</Amt>
        <CdtDbtInd>{"DBIT" if line.debit else "CRDT"}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{booked}</Dt></BookgDt>
        <ValDt><Dt>{booked}</Dt></ValDt>
        <AcctSvcrRef>{escape(line.bank_reference or f"{statement_id}-{number:05d}")}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>{escape(line.payer)}</Nm></Dbtr>
            <DbtrAcct><Id><IBAN>{line.payer_account}</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf>{remittance}</RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-12-03T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{statement_id}</Id>
      <CreDtTm>2026-12-03T06:00:00</CreDtTm>
      <Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-02</Dt></Dt></Bal>
      {"".join(entries)}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()
