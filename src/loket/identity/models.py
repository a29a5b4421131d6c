"""People who use Loket, the teams they work in and the roles they hold."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.security import Role


def _title_from_name(context) -> dict:
    return {"nl": context.get_current_parameters()["name"]}


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # Dutch; sorts and identifies in logs
    # What people read, ``{nl, en}`` (Dutch where English is missing): ``team.title|text``.
    title: Mapped[dict] = mapped_column(JSON, default=_title_from_name)

    def title_in(self, locale: str) -> str:
        title = self.title or {}
        return title.get(locale) or title.get("nl") or self.name

    def as_json(self) -> dict:
        """The team as the JSON API shows it (schema ``Team``)."""
        return {"code": self.code, "name": self.name,
                "title": {"nl": self.title_in("nl"), "en": self.title_in("en")}}


class User(Base):
    """A citizen or staff member, keyed by the stable ``sub`` of ACM/IDM."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "citizen" | "staff"
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    # National register number of a citizen: personal data, never logged nor put in a URL.
    rrn: Mapped[str | None] = mapped_column(String(11), unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Loaded when asked for: a request's principals come from its session row (WebSession
    # .principals), so the users a page shows (applicant, actors) need not bring their roles.
    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def has_role(self, role: Role) -> bool:
        return any(a.role == role for a in self.roles)

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def teams(self) -> list[Team]:
        return [a.team for a in self.roles if a.team is not None]

    def __repr__(self):  # never the national register number
        return f"<User {self.id} {self.kind}>"


class RoleAssignment(Base):
    """A global role; handlers and advisers hold theirs for a team."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    team: Mapped[Team | None] = relationship(lazy="joined")


class WebSession(Base):
    """Server-side session. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The user's principals (loket.security.principals_for), computed once per session; NULL
    # until then and again when the user's roles change (identity.services.sync_user).
    principals: Mapped[list | None] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accessed: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RevokedToken(Base):
    """An access token refused before it expires (a leaked token, a client taken offline).

    Tokens are checked locally against the provider's keys, so the provider cannot take one
    back; this short deny list can. Rows are useless once ``expires`` has passed.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128), default="")
    expires: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
