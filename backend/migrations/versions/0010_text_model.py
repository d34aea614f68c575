"""stored scene model versions

Revision ID: 0010
Revises: 0009

The scene model every process uses (backend/text/store.py): one row per trained version, the
newest ones with their arrays.
"""
import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("algorithm", sa.String(length=20), nullable=False),
        sa.Column("lexicon_version", sa.String(length=16), nullable=False),
        sa.Column("training", sa.JSON(), nullable=False),
        sa.Column("params", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", backend.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_model")),
        sa.UniqueConstraint("version", name=op.f("uq_text_model_version")),
    )


def downgrade() -> None:
    op.drop_table("text_model")
