"""Aggregation of reports into spots: category compatibility and priority."""

from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION spot_priority; DROP FUNCTION category_compatible; DROP INDEX report_spot_source_idx"
    )
