"""Withdrawing an import batch (undoable), and the header row of an import job."""

from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "ALTER TABLE import_job DROP COLUMN header_row; DROP TABLE withdrawn_report;"
        " ALTER TABLE import_batch DROP COLUMN withdrawn_at, DROP COLUMN withdrawn_by,"
        " DROP COLUMN withdrawn_spots"
    )
