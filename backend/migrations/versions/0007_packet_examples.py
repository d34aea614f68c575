"""the example notes a packet shows, and those its manager dropped before sending

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hub_meeting") as batch:
        batch.add_column(sa.Column("packet_examples", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("dropped_examples", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("hub_meeting") as batch:
        batch.drop_column("dropped_examples")
        batch.drop_column("packet_examples")
