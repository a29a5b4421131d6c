"""The municipality's identity: one row, edited by the functional administrator."""

from datetime import datetime, time

from sqlalchemy import Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    name: Mapped[str] = mapped_column(String(200))  # "Gemeente Heidebeek"
    ocmw_name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(20), default="")
    postcode: Mapped[str] = mapped_column(String(4), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    nis_code: Mapped[str] = mapped_column(String(5), default="")  # for the domicile check
    kbo_municipality: Mapped[str] = mapped_column(String(10), default="")
    kbo_ocmw: Mapped[str] = mapped_column(String(10), default="")
    iban: Mapped[str] = mapped_column(String(34), default="")
    bic: Mapped[str] = mapped_column(String(11), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    logo_sha256: Mapped[str | None] = mapped_column(String(64))
    logo_media_type: Mapped[str | None] = mapped_column(String(40))
    college_weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    college_time: Mapped[time] = mapped_column(Time, default=time(19, 0))
    vast_bureau_weekday: Mapped[int] = mapped_column(Integer, default=0)
    vast_bureau_time: Mapped[time] = mapped_column(Time, default=time(18, 30))
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def address(self) -> str:
        return f"{self.street} {self.number}, {self.postcode} {self.city}".strip(" ,")
