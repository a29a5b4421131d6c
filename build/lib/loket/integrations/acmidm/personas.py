"""Test personas, shared by the ACM/IDM simulator (its login page) and the demo data.

Citizens carry MAGDA-style test national register numbers (``TST`` numbers: the month plus
60, a valid mod-97 check), so they can never be a real person's number. Staff carry role
claims in the ``Role:OrgKey`` form ACM/IDM uses, for the municipality's KBO number.
"""

from dataclasses import dataclass, field

# Claim that carries Loket's roles (an application scope of ACM/IDM). Each value reads
# ``<role>[/<team>]:<KBO number of the organisation>``.
ROLE_CLAIM = "loket_rol_3d"


@dataclass(frozen=True)
class Persona:
    key: str
    sub: str
    kind: str  # "citizen" | "staff"
    given_name: str
    family_name: str
    email: str
    description: str  # what this persona is for, shown on the simulator's login page
    rrn: str | None = None
    roles: tuple[tuple[str, str | None], ...] = field(default_factory=tuple)
    acr: str = "urn:be:vlaanderen:authmech:eid"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def role_claims(self, kbo: str) -> list[str]:
        return [f"{role}/{team}:{kbo}" if team else f"{role}:{kbo}" for role, team in self.roles]


TEAMS = {
    "sociale-dienst": "Sociale dienst (OCMW)",
    "openbaar-domein": "Openbaar domein en vergunningen",
    "financiele-dienst": "Financiële dienst",
}

PERSONAS = [
    Persona("jan", "b1f0c3a2-0001-4000-8000-000000000001", "citizen", "Jan", "Peeters",
            "jan.peeters@example.org", "Citizen living in the municipality, two dossiers.",
            rrn="85631415304"),
    Persona("sofie", "b1f0c3a2-0002-4000-8000-000000000002", "citizen", "Sofie", "Claes",
            "sofie.claes@example.org", "Citizen with a household of four, one dossier.",
            rrn="90710228406"),
    Persona("ahmed", "b1f0c3a2-0003-4000-8000-000000000003", "citizen", "Ahmed", "El Amrani",
            "ahmed.elamrani@example.org", "Citizen living in another municipality, no dossiers.",
            rrn="78662103775", acr="urn:be:vlaanderen:authmech:itsme"),
    Persona("lotte", "b1f0c3a2-0004-4000-8000-000000000004", "citizen", "Lotte", "Wouters",
            "lotte.wouters@example.org", "Citizen born after 2000, a public-domain permit.",
            rrn="01693012293"),
    Persona("els", "b1f0c3a2-0101-4000-8000-000000000101", "staff", "Els", "Maes",
            "els.maes@heidebeek.example", "Case handler, social services (premiums).",
            roles=(("handler", "sociale-dienst"),)),
    Persona("tom", "b1f0c3a2-0102-4000-8000-000000000102", "staff", "Tom", "Jacobs",
            "tom.jacobs@heidebeek.example", "Case handler, public domain and permits.",
            roles=(("handler", "openbaar-domein"),)),
    Persona("nadia", "b1f0c3a2-0103-4000-8000-000000000103", "staff", "Nadia", "Vermeulen",
            "nadia.vermeulen@heidebeek.example", "Adviser, financial services.",
            roles=(("adviser", "financiele-dienst"),)),
    Persona("karin", "b1f0c3a2-0104-4000-8000-000000000104", "staff", "Karin", "Willems",
            "karin.willems@heidebeek.example", "Secretariat of the general director.",
            roles=(("secretariat", None),)),
    Persona("luc", "b1f0c3a2-0105-4000-8000-000000000105", "staff", "Luc", "Janssens",
            "burgemeester@heidebeek.example", "Mayor: signs decisions.",
            roles=(("signatory", None),)),
    Persona("hilde", "b1f0c3a2-0106-4000-8000-000000000106", "staff", "Hilde", "Goossens",
            "algemeen.directeur@heidebeek.example", "General director: signs decisions.",
            roles=(("signatory", None), ("secretariat", None))),
    Persona("pieter", "b1f0c3a2-0107-4000-8000-000000000107", "staff", "Pieter", "De Smet",
            "pieter.desmet@heidebeek.example", "Finance: payment orders.",
            roles=(("finance", None),)),
    Persona("an", "b1f0c3a2-0108-4000-8000-000000000108", "staff", "An", "Mertens",
            "an.mertens@heidebeek.example", "Functional administrator: catalogue, settings.",
            roles=(("admin", None),)),
]

BY_KEY = {p.key: p for p in PERSONAS}
