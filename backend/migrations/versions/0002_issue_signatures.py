"""regional issue signatures and exclusions

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("regional_issue") as batch_op:
        batch_op.add_column(sa.Column("signatures", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("excluded_ids", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("regional_issue") as batch_op:
        batch_op.drop_column("excluded_ids")
        batch_op.drop_column("signatures")
