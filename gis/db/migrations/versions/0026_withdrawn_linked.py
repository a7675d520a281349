"""A withdrawn report keeps the rows of other tables that hung on it (withdrawing one that had a photo
failed on their foreign keys)."""

from pathlib import Path

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute("ALTER TABLE withdrawn_report DROP COLUMN linked")
