"""The tile generation: a number that changes with every committed write to spots or areas, so a cache of
public tiles knows when a tile it holds is stale (gis/publish/tilecache.py)."""

from pathlib import Path

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER spot_tile_change ON spot; DROP TRIGGER area_tile_change ON area;"
        " DROP FUNCTION note_tile_change(); DROP TABLE tile_change; DROP TABLE tile_generation"
    )
