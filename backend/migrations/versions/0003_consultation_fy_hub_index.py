"""covering index for the prefecture dashboard

Revision ID: 0003
Revises: 0002

Every dashboard statement filters on (fiscal_year, hub_id in the prefecture's hubs) and reads only
these columns, so PostgreSQL and SQLite answer from the index alone (no reading of the wide rows
with their summaries). On a large PostgreSQL table this CREATE INDEX holds writes to consultation
for its duration (seconds per million rows); build it beforehand with CREATE INDEX CONCURRENTLY
under the same name if that matters.
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ["fiscal_year", "hub_id", "primary_scene", "caller_role", "received_at", "closed_at", "outcome"]


def upgrade() -> None:
    op.create_index("ix_consultation_fy_hub", "consultation", COLUMNS, unique=False, if_not_exists=True)


def downgrade() -> None:
    op.drop_index("ix_consultation_fy_hub", table_name="consultation")
