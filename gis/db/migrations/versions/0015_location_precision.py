"""Location precision of every report and spot: exact, placed by hand, address or neighbourhood only."""

from pathlib import Path

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        """
        DROP INDEX spot_unplaced_idx;
        ALTER TABLE spot DROP COLUMN location_precision;
        ALTER TABLE report DROP COLUMN location_verified;
        ALTER TABLE report ADD COLUMN location_verified boolean NOT NULL DEFAULT true;
        UPDATE report SET location_verified = location_precision IN ('exact', 'placed');
        ALTER TABLE report DROP COLUMN location_precision;
        """
    )
