"""One audit model: partial audits (null = not assessed, 0 kept), the time of day of visits and re-audits,
and the 1–10 safety score."""

from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        """
        DROP FUNCTION spot_safety_score(integer, text);
        DROP FUNCTION safety_period(text);
        DROP FUNCTION spot_audit_time_after(integer);
        DROP FUNCTION spot_audit_time_before(integer);
        DROP FUNCTION safety_audit_score(jsonb);
        ALTER TABLE site_visit DROP CONSTRAINT site_visit_re_audit_has_audit;
        ALTER TABLE site_visit DROP COLUMN time_of_day;
        """
    )
