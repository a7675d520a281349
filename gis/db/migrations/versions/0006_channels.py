"""Intake channels: focus-group sessions and the Open311 citizen's device/account identifiers."""

from pathlib import Path

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "ALTER TABLE report_contact DROP COLUMN device_id, DROP COLUMN account_id;"
        " DROP INDEX report_focus_group_idx; DROP TABLE focus_group"
    )
