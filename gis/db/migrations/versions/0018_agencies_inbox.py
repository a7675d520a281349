"""Agencies and the deputy: routing rules, meetings' follow-ups, each user's inbox and e-mail address, and
reporters' answers to the follow-up question four weeks after their spot closed."""

from pathlib import Path

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        """
        DROP TABLE reporter_follow_up;
        ALTER TABLE app_user DROP COLUMN email;
        DROP TABLE notification;
        DROP TABLE follow_up;
        DROP TABLE routing_rule;
        """
    )
