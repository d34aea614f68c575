"""indexes for the admin's audit page: by operation, by actor (each newest first) and by time

Revision ID: 0011
Revises: 0010

The audit trail grows with every request; without these, a filter that matches few rows reads the whole table.
Chain this revision after the latest head when merging (its number only avoids the branches' 0009–0011).
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_event_operation_id", "audit_event", ["operation", "id"])
    op.create_index("ix_audit_event_actor_id_id", "audit_event", ["actor_id", "id"])
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_at", table_name="audit_event")
    op.drop_index("ix_audit_event_actor_id_id", table_name="audit_event")
    op.drop_index("ix_audit_event_operation_id", table_name="audit_event")
