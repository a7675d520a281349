"""Local base maps (MBTiles, PMTiles, GeoTIFF files the tool serves itself), street centrelines and landmarks
for the map and address search."""

from pathlib import Path

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute("DROP TABLE landmark; DROP TABLE street; DROP TABLE basemap")
