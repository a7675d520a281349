"""An import job keeps the page's adjustments (columns, fixed cells, date readings); a batch its duplicates."""

from pathlib import Path

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute("DROP TABLE import_duplicate_row; ALTER TABLE import_job DROP COLUMN adjustments")
