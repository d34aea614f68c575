from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.db import Base, utcnow


class TextModel(Base):
    """One version of the scene model. Every process (API and workers) uses the newest stored
    version of its algorithm, so they all suggest alike; the version is the digest of what it was
    trained on (algorithm, lexicon, examples), so training twice on the same data adds nothing.

    `params` holds the model as plain arrays (numpy npz, read without pickle); older versions keep
    their row (the record of what was trained when) but not their arrays."""

    __tablename__ = "text_model"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(16), unique=True)
    algorithm: Mapped[str] = mapped_column(String(20))
    lexicon_version: Mapped[str] = mapped_column(String(16))
    # what it learned from: {"shipped": n, "confirmed": n} — confirmed consultations at training time
    training: Mapped[dict] = mapped_column(JSON, default=dict)
    params: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
