from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class TaxonomyVersion(Base):
    """One version of an adaptable list (categories, response types) for a prefecture (None: the whole
    deployment), in force from `valid_from`. Terms: [{"key", "label", "order", "scene", "retired"}] — data,
    so a change needs no migration; old versions stay, so older periods keep their labels."""

    __tablename__ = "taxonomy_version"
    __table_args__ = (Index("ix_taxonomy_version_kind_from", "kind", "prefecture_code", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    prefecture_code: Mapped[str | None] = mapped_column(String(2))
    valid_from: Mapped[date]
    terms: Mapped[list[dict]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
