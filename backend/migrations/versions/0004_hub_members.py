"""the members of each hub's 協議の場

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organization", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", backend.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"], name=op.f("fk_hub_member_created_by_id_app_user")),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_hub_member_hub_id_hub")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_member")),
    )
    op.create_index(op.f("ix_hub_member_hub_id"), "hub_member", ["hub_id"], unique=False)
    op.create_index("uq_hub_member_active_email", "hub_member", ["hub_id", "email"], unique=True,
                    sqlite_where=sa.text("removed_at IS NULL"), postgresql_where=sa.text("removed_at IS NULL"))


def downgrade() -> None:
    op.drop_index("uq_hub_member_active_email", table_name="hub_member")
    op.drop_index(op.f("ix_hub_member_hub_id"), table_name="hub_member")
    op.drop_table("hub_member")
