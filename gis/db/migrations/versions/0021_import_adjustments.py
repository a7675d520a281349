"""An import job keeps the page's adjustments (columns, fixed cells, date readings); a batch its duplicates;
the two-digit-year reading can be confirmed once for every file."""

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
    op.execute(
        "DROP TABLE import_duplicate_row; ALTER TABLE import_job DROP COLUMN adjustments;"
        " DELETE FROM vocabulary_alias WHERE kind = 'date';"
        " ALTER TABLE vocabulary_alias DROP CONSTRAINT vocabulary_alias_kind_check;"
        " ALTER TABLE vocabulary_alias ADD CONSTRAINT vocabulary_alias_kind_check"
        " CHECK (kind IN ('category', 'neighbourhood', 'time_of_day', 'source'))"
    )
