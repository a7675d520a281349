"""Connections, migrations, and the one place where database errors become domain errors."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg2
import psycopg2.errors
import psycopg2.extras

from gis.errors import DatabaseUnavailable, InvalidInput, SafemapError
from gis.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

# A connection in a transaction the caller owns: functions take it, never commit it.
Conn = psycopg2.extensions.connection

# Constraint name -> (field, reason) shown to the user when the database refuses a row.
CONSTRAINT_FIELDS = {
    "area_geom_valid": ("geometry", "invalid_or_empty_geometry"),
    "spot_geom_valid": ("geometry", "invalid_or_empty_geometry"),
    "report_geom_valid": ("geometry", "invalid_or_empty_geometry"),
    "spot_geom_type": ("geometry", "geometry_point_line_polygon"),
    "report_geom_type": ("geometry", "geometry_point_line_polygon"),
    "spot_stage_range": ("stage", "stage_must_be_1_to_4"),
    "spot_stage_check": ("stage", "stage_must_be_1_to_4"),
    "spot_stage_fkey": ("stage", "stage_must_be_1_to_4"),
    "spot_category_fkey": ("category", "unknown_category_code"),
    "report_category_fkey": ("category", "unknown_category_code"),
    "report_source_fkey": ("source", "unknown_source"),
    "report_audit_valid": ("audit", "audit_scores_invalid"),
    "report_time_of_day_check": ("time_of_day", "day_evening_night"),
    "area_level_fkey": ("level", "unknown_area_level"),
    "area_code_key": ("code", "area_code_taken"),
    "app_user_username_key": ("username", "user_name_taken"),
    "app_user_username_check": ("username", "user_name_characters"),
    "app_user_role_check": ("role", "unknown_role"),
    "report_photo_type": ("file", "photo_type"),
    "report_photo_size": ("file", "photo_size"),
    "action_photo_type": ("file", "photo_type"),
    "action_photo_size": ("file", "photo_size"),
    "programme_phase_planned_order": ("planned_end", "phase_reversed"),
    "programme_phase_actual_order": ("actual_end", "actual_end_order"),
}


def database_url(settings: Settings) -> str:
    """The URL to use: DATABASE_URL if set, else the embedded cluster (created and started on demand)."""
    if settings.database_url:
        return settings.database_url
    from gis.db.cluster import ensure_cluster

    return ensure_cluster(settings.pg_dir, settings.pg_database, port=settings.pg_port)


def connect(url: str) -> "psycopg2.extensions.connection":
    """A new connection; a server that is down becomes DatabaseUnavailable with a one-line message."""
    try:
        return psycopg2.connect(url, connect_timeout=5, application_name="safemap")
    except psycopg2.OperationalError as exc:
        raise DatabaseUnavailable("database_unreachable", detail=str(exc).strip()) from exc


@contextmanager
def transaction(url: str) -> Iterator["psycopg2.extensions.connection"]:
    """A connection in one transaction: committed on success, rolled back on any error, then closed."""
    conn = connect(url)
    try:
        with translate_errors():
            yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn integrity and data errors from PostgreSQL into InvalidInput naming the field."""
    try:
        yield
    except psycopg2.errors.RestrictViolation as exc:
        raise SafemapError(exc.diag.message_primary or "refused by the database") from exc
    except psycopg2.IntegrityError as exc:
        name = getattr(exc.diag, "constraint_name", None) or ""
        field, reason = CONSTRAINT_FIELDS.get(name, (name or "row", "violates_database_rule"))
        raise InvalidInput(field, reason) from exc
    except psycopg2.DataError as exc:
        raise InvalidInput(
            "input", "database_refused_value", reason=(exc.diag.message_primary or "invalid value").strip()
        ) from exc
    except (psycopg2.errors.LockNotAvailable, psycopg2.errors.QueryCanceled) as exc:
        # lock_timeout or statement_timeout: the server is up but busy (a long lock elsewhere).
        raise DatabaseUnavailable("database_busy", detail=str(exc).strip()) from exc
    except psycopg2.OperationalError as exc:
        raise DatabaseUnavailable("database_unreachable", detail=str(exc).strip()) from exc
    except ValueError as exc:
        # psycopg2 refuses to send a NUL character; it comes from the input, so it is the input's fault.
        if "NUL (0x00)" not in str(exc):
            raise
        raise InvalidInput("input", "text_may_contain_nul_x") from exc


def dict_cursor(conn: "psycopg2.extensions.connection") -> "psycopg2.extras.RealDictCursor":
    return conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)


def one_row(
    conn: Conn, query: str, params: tuple | dict, missing: SafemapError, *, as_dict: bool = False
) -> tuple | dict:
    """The query's first row (a dict with `as_dict`); `missing` (an error naming the field) when none."""
    with dict_cursor(conn) if as_dict else conn.cursor() as cur:
        cur.execute(query, params)
        row = cur.fetchone()
    if row is None:
        raise missing
    return dict(row) if as_dict else row


def batches(conn: Conn, name: str, query: str, params: tuple | dict, size: int) -> Iterator[list[tuple]]:
    """The query's rows `size` at a time from a server-side cursor `name`: a large answer never sits whole
    in memory, on the server or here."""
    with conn.cursor(name=name) as cur:
        cur.itersize = size
        cur.execute(query, params)
        while rows := cur.fetchmany(size):
            yield rows


def keyed(conn: Conn, query: str, params: tuple | list | dict) -> dict:
    """The query's two-column rows as a dict: first column -> second."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        return dict(cur.fetchall())


def without_jit(conn: Conn) -> None:
    """No JIT compiling for the rest of the transaction, for statements over many rows at once (an import's
    chunk, the rebuild): they are estimated costly enough to compile, and compiling them took half of each
    import chunk and a second or more per rebuild statement."""
    with conn.cursor() as cur:
        cur.execute("SET LOCAL jit = off")


def one_value(conn: Conn, query: str, params: tuple | dict, missing: SafemapError) -> object:
    """The first column of the query's row; `missing` (a NotFound naming the field) when there is no row."""
    return one_row(conn, query, params, missing)[0]


def alembic_config(url: str) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url.replace("postgresql://", "postgresql+psycopg2://", 1)
    return config


def newest_revision() -> str:
    """The newest migration's revision: each file's revision is its number and each follows the one before (a
    test checks this against alembic's own graph)."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def migrate(url: str) -> bool:
    """Bring the schema up to the newest revision; whether it was behind. Alembic (with SQLAlchemy, most of a
    command's start-up time) is imported only when the database is behind."""
    if current_revisions(url) == [newest_revision()]:
        return False
    from alembic import command

    command.upgrade(alembic_config(url), "head")
    return True


def current_revisions(url: str) -> list[str]:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass('alembic_version') IS NOT NULL")
        if not cur.fetchone()[0]:
            return []
        cur.execute("SELECT version_num FROM alembic_version ORDER BY 1")
        return [row[0] for row in cur.fetchall()]


def versions(conn: Conn) -> tuple[str, str]:
    """PostGIS's library version and the schema revision: a health check that really asks the database."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT postgis_lib_version(), (SELECT string_agg(version_num, ',') FROM alembic_version)"
        )
        return cur.fetchone()
