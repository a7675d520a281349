"""The four-stage workflow (site visits, agency actions) and programme tracking (activities, phases)."""

from pathlib import Path

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "DROP TABLE programme_phase, programme_activity, activity_kind, spot_action, action_status,"
        " site_visit;"
        " DROP FUNCTION spot_audit_before(integer), spot_audit_after(integer), safety_audit_mean(jsonb),"
        " safety_audit_is_complete(jsonb)"
    )
