"""The statement triggers that join a statement's old and new rows plan that join for each statement's own
size (see the SQL file): a plan kept from a one-row update made large ones quadratic."""

from pathlib import Path

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    """Nothing to undo: the functions compute what 0023's and 0024's did (their downgrades drop them)."""
