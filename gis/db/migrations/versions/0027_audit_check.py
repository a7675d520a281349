"""The audit checks call their function only for an audit, not for every row written (see the SQL file)."""

from pathlib import Path

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "ALTER TABLE report DROP CONSTRAINT report_audit_valid,"
        " ADD CONSTRAINT report_audit_valid CHECK (safety_audit_is_valid(audit));"
        " ALTER TABLE site_visit DROP CONSTRAINT site_visit_audit_valid,"
        " ADD CONSTRAINT site_visit_audit_valid CHECK (safety_audit_is_valid(audit))"
    )
