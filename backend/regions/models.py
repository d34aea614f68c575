from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db import Base


class Prefecture(Base):
    __tablename__ = "prefecture"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(8))


class Municipality(Base):
    __tablename__ = "municipality"
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    code6: Mapped[str] = mapped_column(String(6), unique=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    name: Mapped[str] = mapped_column(String(40))


class Area(Base):
    """A home-care area (在宅医療の圏域): named municipalities inside one prefecture."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("prefecture_code", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefecture.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    municipalities: Mapped[list["AreaMunicipality"]] = relationship(lazy="raise", cascade="all, delete-orphan")


class AreaMunicipality(Base):
    __tablename__ = "area_municipality"
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), primary_key=True)


class Hub(Base):
    """在宅医療に必要な連携を担う拠点; belongs to one area."""

    __tablename__ = "hub"
    __table_args__ = (UniqueConstraint("area_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
