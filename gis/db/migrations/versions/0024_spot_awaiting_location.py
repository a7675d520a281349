"""A spot keeps whether any of its reports' locations is still to be verified (kept by statement triggers on
report in the same transaction), so the spot search reads no reports for every candidate spot."""

from pathlib import Path

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER awaiting_location_insert ON report; DROP TRIGGER awaiting_location_delete ON report;"
        " DROP TRIGGER awaiting_location_update ON report; DROP TRIGGER awaiting_location_truncate ON report;"
        " DROP FUNCTION awaiting_location_added_or_removed(), awaiting_location_updated(),"
        " awaiting_location_emptied(), keep_awaiting_location(int[]);"
        " ALTER TABLE spot DROP COLUMN awaiting_location"
    )
