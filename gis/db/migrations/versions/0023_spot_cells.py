"""Spots counted per grid cell at levels 10–13, kept by triggers in the same transaction as every write to
spot, so a staff tile at a low zoom reads counts instead of every spot (gis/publish/tiles.py)."""

from pathlib import Path

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER spot_cells_insert ON spot; DROP TRIGGER spot_cells_delete ON spot;"
        " DROP TRIGGER spot_cells_update ON spot; DROP TRIGGER spot_cells_truncate ON spot;"
        " DROP FUNCTION count_inserted_spots(), count_deleted_spots(), count_updated_spots(),"
        " empty_spot_cells(), count_in_cells(geometry[], smallint[], text[], int[]);"
        " DROP TABLE spot_cell;"
        " DROP FUNCTION cell_point(geometry), cell_index(float8, int), mercator_x(geometry),"
        " mercator_y(geometry)"
    )
