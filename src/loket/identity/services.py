"""Users from ACM/IDM claims: create or update the user and their roles at every login.

ACM/IDM is the source of truth for staff roles: a role removed there is removed here at the
next login. Role claims for another organisation (another KBO number) are ignored.

A citizen who first reaches Loket through an integrator (their access token, see
:mod:`loket.identity.tokens`) is made from the provider's userinfo for that token, once.
"""

import logging

from sqlalchemy import select, update

from loket.db import utcnow
from loket.identity.models import RoleAssignment, Team, User, WebSession
from loket.identity.oidc import LoginError, TokenRejected, get_client
from loket.security import Role

log = logging.getLogger(__name__)

# The ACM/IDM claim with the roles the municipality gave a person in its access management
# (``<role>[/<team>]:<KBO>``).
ROLE_CLAIM = "loket_rol_3d"


class ClaimsRejected(ValueError):
    pass


def parse_role_claims(values, kbo: str) -> set[tuple[str, str | None]]:
    """``["handler/sociale-dienst:0207123407", "admin:0207123407"]`` → {(role, team)}."""
    roles = set()
    for value in values or ():
        role_part, _, org = str(value).rpartition(":")
        if org != kbo or not role_part:
            continue
        role, _, team = role_part.partition("/")
        if role in Role.__members__.values() and role != Role.CITIZEN:
            roles.add((role, team or None))
    return roles


def sync_user(dbsession, claims: dict, kbo: str) -> User:
    subject = claims.get("sub")
    if not subject:
        raise ClaimsRejected("no subject")
    roles = parse_role_claims(claims.get(ROLE_CLAIM), kbo)
    rrn = claims.get("rrn")
    if not roles and not rrn:
        raise ClaimsRejected("neither a citizen (rrn) nor staff of this organisation")

    user = dbsession.scalar(select(User).where(User.subject == subject))
    if user is None:
        user = User(subject=subject)
        dbsession.add(user)
    user.kind = "staff" if roles else "citizen"
    user.given_name = claims.get("given_name", "")
    user.family_name = claims.get("family_name", "")
    user.email = claims.get("email") or user.email
    user.rrn = rrn if not roles else None
    user.last_login = utcnow()

    wanted = set(roles) if roles else {(Role.CITIZEN.value, None)}
    current = {(a.role, a.team.code if a.team else None): a for a in user.roles}
    for key, assignment in current.items():
        if key not in wanted:
            user.roles.remove(assignment)
    for role, team_code in wanted - set(current):
        team = None
        if team_code:
            team = dbsession.scalar(select(Team).where(Team.code == team_code))
            if team is None:
                team = Team(code=team_code, name=team_code)
                dbsession.add(team)
        user.roles.append(RoleAssignment(role=role, team=team))
    if wanted != set(current) and user.id is not None:
        # Sessions elsewhere computed their principals from the old roles: again next time.
        dbsession.execute(update(WebSession).where(WebSession.user_id == user.id)
                          .values(principals=None).execution_options(synchronize_session=False))
    dbsession.flush()
    return user


def citizen_for_token(request, client, access_token: str) -> User | None:
    """The citizen a valid access token acts for (``client.subject``); made from ACM/IDM's
    userinfo when Loket does not know them yet. None for staff, or when the provider cannot
    tell who it is (the request then may do nothing)."""
    from loket import audit

    dbsession = request.dbsession
    user = dbsession.scalar(select(User).where(User.subject == client.subject))
    if user is not None:
        return user if not user.is_staff else None
    try:
        info = get_client(request).userinfo(access_token)
        if info.get("sub") != client.subject:
            raise ClaimsRejected("userinfo of another subject")
        claims = user_claims(info)
        if claims.get(ROLE_CLAIM) or not claims.get("rrn"):
            raise ClaimsRejected("not a citizen")
        user = sync_user(dbsession, claims, "")
    except (LoginError, ClaimsRejected) as error:
        log.warning("no citizen for an access token of %s: %s", client.client_id,
                    getattr(error, "reason", error))
        return None
    audit.record(request, "api.citizen_registered", "user", user.id, client=client.client_id)
    return user


TEXT_CLAIMS = ("sub", "given_name", "family_name", "email", "rrn")




def user_claims(claims: dict) -> dict:
    """The claims :func:`sync_user` reads, in the shapes it expects; odd shapes are refused."""
    picked = {}
    for name in TEXT_CLAIMS:
        value = claims.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise TokenRejected(f"claim_{name}")
        picked[name] = value
    rrn = picked.get("rrn")
    if rrn is not None and not (len(rrn) == 11 and rrn.isascii() and rrn.isdigit()):
        raise TokenRejected("claim_rrn")
    roles = claims.get(ROLE_CLAIM)
    if isinstance(roles, str):  # one role may come as a plain string
        roles = [roles]
    if roles is not None:
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise TokenRejected(f"claim_{ROLE_CLAIM}")
        picked[ROLE_CLAIM] = roles
    return picked
