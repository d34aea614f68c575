"""what desks report: persons (a desk-internal case number, never a name), 一般相談, 初回/継続, the
「地域課題として報告」 flag, and the partners (連携先) of each action

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

import backend.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.SmallInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=16), nullable=False),
        sa.Column("created_at", backend.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_desk_person_hub_id_hub")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_person")),
        sa.UniqueConstraint("hub_id", "case_number", name=op.f("uq_desk_person_hub_id")),
    )
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("general_inquiry", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("continuing", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("report_as_issue", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key(op.f("fk_consultation_person_id_desk_person"), "desk_person", ["person_id"], ["id"])
        batch.create_index(op.f("ix_consultation_person_id"), ["person_id"], unique=False)
    with op.batch_alter_table("consultation_action") as batch:
        batch.add_column(sa.Column("partners_mask", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "desk_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(length=16), nullable=False),
        sa.Column("fiscal_year", sa.SmallInteger(), nullable=False),
        sa.Column("period_index", sa.SmallInteger(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("csv", sa.LargeBinary(), nullable=True),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("generated_at", backend.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["hub_id"], ["hub.id"], name=op.f("fk_desk_report_hub_id_hub")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["app_user.id"],
                                name=op.f("fk_desk_report_requested_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_report")),
    )
    op.create_index(op.f("ix_desk_report_hub_id"), "desk_report", ["hub_id"], unique=False)
    op.create_table(
        "taxonomy_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("prefecture_code", sa.String(length=2), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", backend.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"],
                                name=op.f("fk_taxonomy_version_created_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_version")),
    )
    op.create_index("ix_taxonomy_version_kind_from", "taxonomy_version", ["kind", "prefecture_code", "valid_from"])


def downgrade() -> None:
    op.drop_index("ix_taxonomy_version_kind_from", table_name="taxonomy_version")
    op.drop_table("taxonomy_version")
    op.drop_index(op.f("ix_desk_report_hub_id"), table_name="desk_report")
    op.drop_table("desk_report")
    with op.batch_alter_table("consultation_action") as batch:
        batch.drop_column("partners_mask")
    with op.batch_alter_table("consultation") as batch:
        batch.drop_index(op.f("ix_consultation_person_id"))
        batch.drop_constraint(op.f("fk_consultation_person_id_desk_person"), type_="foreignkey")
        batch.drop_column("report_as_issue")
        batch.drop_column("continuing")
        batch.drop_column("general_inquiry")
        batch.drop_column("person_id")
    op.drop_table("desk_person")
