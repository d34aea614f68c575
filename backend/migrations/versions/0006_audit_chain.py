"""audit rows name the records a request read, are chained by hash, and cannot be emptied

Revision ID: 0006
Revises: 0005

The rows stay append-only; the one change a row may receive is its seal (chain position, previous hash,
own hash), once, with nothing else altered. PostgreSQL also refuses TRUNCATE.
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CONTENT = ["id", "at", "actor_id", "actor_role", "operation", "entity_type", "entity_id", "fields", "request_id",
           "record_ids"]


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("record_ids", sa.JSON(), nullable=True))
    op.add_column("audit_event", sa.Column("chain_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                           nullable=True))
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("row_hash", sa.String(length=64), nullable=True))
    op.create_index("uq_audit_event_chain_seq", "audit_event", ["chain_seq"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        unchanged = " AND ".join(
            f"NEW.{c}::text IS NOT DISTINCT FROM OLD.{c}::text" if c in ("fields", "record_ids")
            else f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in CONTENT)
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'UPDATE' AND OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL "
            f"AND {unchanged} THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'audit_event is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
        op.execute("CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()")
    else:
        unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                   f"WHEN NOT (OLD.row_hash IS NULL AND NEW.row_hash IS NOT NULL AND {unchanged}) "
                   "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        op.execute("CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$")
        op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
                   "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
                   "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
    op.drop_index("uq_audit_event_chain_seq", table_name="audit_event")
    for column in ("row_hash", "prev_hash", "chain_seq", "record_ids"):
        op.drop_column("audit_event", column)
