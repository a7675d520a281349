"""Alembic environment: runs the SQL migrations on the URL handed in by gis.migrate."""

from alembic import context
from sqlalchemy import create_engine, pool

url = context.config.attributes["url"]
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
