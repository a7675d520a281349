"""The `safemap` command line: serve, db, demo, import."""

import os
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from api.basemap_cli import basemap_app
from gis.errors import LANGUAGES, SafemapError
from gis.settings import get_settings

if TYPE_CHECKING:
    from gis.db import Conn
    from gis.db.cluster import Cluster
    from gis.intake.files.adjust import Adjustments
    from gis.intake.files.batch import ImportResult, RowOutcome
    from gis.intake.files.options import ImportOptions

app = typer.Typer(
    help="Safemap: map and fix unsafe urban spaces (District 22, Tehran). --lang en anywhere on the line (or"
    " SAFEMAP_LANG=en): messages, reports and projects in English; Persian otherwise.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: the embedded cluster, migrations, backups.", no_args_is_help=True)
import_app = typer.Typer(help="Load files into the database.", no_args_is_help=True)
user_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
report_app = typer.Typer(help="Reports drawn from the database.", no_args_is_help=True)
notify_app = typer.Typer(help="Inbox e-mail and the weekly digest.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(report_app, name="report")
app.add_typer(notify_app, name="notify")
app.add_typer(import_app, name="import")
app.add_typer(user_app, name="user")
app.add_typer(basemap_app, name="basemap")


def _url() -> str:
    from gis.db import database_url

    return database_url(get_settings())


def _cluster() -> Optional["Cluster"]:
    """The embedded cluster, or None when DATABASE_URL names a database of its own and no cluster is used."""
    from gis.db.cluster import open_cluster

    settings = get_settings()
    return None if settings.database_url else open_cluster(settings.pg_dir)


def _migrated_url() -> str:
    from gis.db import migrate

    url = _url()
    migrate(url)
    return url


def migrated_transaction() -> AbstractContextManager["Conn"]:
    """One transaction on the database, migrated first: how a command reaches the data it reads or writes."""
    from gis.db import transaction

    return transaction(_migrated_url())


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, help="interface to bind (default 127.0.0.1)"),
    port: Optional[int] = typer.Option(None, help="port (default 8000)"),
    reload: bool = typer.Option(False, help="reload on code changes (development)"),
) -> None:
    """Migrate the database and serve the API, the map and the pages."""
    import importlib
    import threading

    import uvicorn

    # The map's document builder brings folium, and folium pandas (about 2 s): imported while the database
    # starts and migrates, so the first person to open the map after a start or a restart does not wait.
    preload = threading.Thread(target=importlib.import_module, args=("api.pages.map_document",))
    preload.start()
    settings = get_settings()
    url = _migrated_url()
    preload.join()
    host, port = host or settings.host, port or settings.port
    typer.echo(f"Safemap on http://{host}:{port}  (database {url.rsplit('@', 1)[-1]})")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload, log_level="info")


@app.command()
def demo() -> None:
    """Load District 22 (boundary, 10 neighbourhoods, agencies) and the demo reports and spots."""
    from gis.demo.district import load_demo

    with migrated_transaction() as conn:
        counts = load_demo(conn)
    typer.echo(f"demo loaded: {counts['areas']} areas, {counts['spots']} spots, {counts['reports']} reports")


@db_app.command("start")
def db_start() -> None:
    """Create (first run) and start the embedded PostgreSQL + PostGIS cluster."""
    cluster = _cluster()
    if cluster is None:
        typer.echo("DATABASE_URL is set: the embedded cluster is not used")
        return
    _url()
    typer.echo(f"database running: {cluster.shown_url(get_settings().pg_database)}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded cluster cleanly."""
    cluster = _cluster()
    if cluster is None:
        typer.echo("DATABASE_URL is set: there is no embedded cluster to stop")
        return
    typer.echo("database stopped" if cluster.stop() else "database was not running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the database is running, where, and at which schema revision."""
    from gis.db import current_revisions

    settings = get_settings()
    cluster = _cluster()
    if cluster is not None and not cluster.is_running():
        typer.echo(f"database not running ({cluster.data_dir})")
        raise typer.Exit(3)
    url = settings.database_url or cluster.url(settings.pg_database)
    revisions = current_revisions(url) or ["none (run safemap db migrate)"]
    shown = url if cluster is None else cluster.shown_url(settings.pg_database)
    typer.echo(f"database running: {shown}  schema: {', '.join(revisions)}")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply every pending schema migration."""
    from gis.db import current_revisions

    url = _migrated_url()
    typer.echo(f"schema at {', '.join(current_revisions(url))}")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL (starts the embedded cluster if needed), e.g. for psql or QGIS; the embedded
    cluster's without its password, which is in a file beside the cluster (named on stderr)."""
    url = _url()
    cluster = _cluster()
    if cluster is None:
        typer.echo(url)
        return
    typer.echo(cluster.shown_url(get_settings().pg_database))
    typer.echo(f"password: in {cluster.app_password_file}", err=True)


@db_app.command("backup")
def db_backup(
    file: Path = typer.Argument(..., help="where to write the backup (pg_dump custom format)"),
) -> None:
    """Back the whole database up to a file."""
    from gis.db.backup import backup

    size = backup(_url(), file)
    typer.echo(f"backup written: {file} ({size / 1e6:.1f} MB)")


@db_app.command("restore")
def db_restore(
    file: Path = typer.Argument(..., help="a backup written by safemap db backup"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
) -> None:
    """Replace the database with a backup (everything written since the backup is lost)."""
    from gis.db.backup import restore, restore_cluster

    url = _url()
    if not yes and not typer.confirm(f"replace the database {url.rsplit('/', 1)[-1]} with {file.name}?"):
        raise typer.Exit(1)
    cluster = _cluster()
    if cluster is None:
        restore(url, file)
    else:
        restore_cluster(cluster, get_settings().pg_database, file)
    typer.echo(f"database restored from {file}")


@import_app.command("areas")
def import_areas_command(
    file: Path = typer.Argument(..., help="GeoJSON, GeoPackage, Shapefile or zipped Shapefile"),
    level: str = typer.Option(..., help="district, sub_district or neighbourhood"),
    code_field: Optional[str] = typer.Option(None, help="column holding the area's code"),
    name_field: Optional[str] = typer.Option(None, help="column holding the Persian name"),
    code_prefix: str = typer.Option("", help="prefix added to every code, e.g. 22- for sub-districts"),
) -> None:
    """Load an area layer (e.g. the sub-districts); existing codes are updated, parents re-linked."""
    from gis.places.areas import import_areas, read_area_file

    frame = read_area_file(file)
    with migrated_transaction() as conn:
        result = import_areas(
            conn, frame, level=level, code_field=code_field, name_field=name_field, code_prefix=code_prefix
        )
    typer.echo(f"{file.name}: {result.inserted} areas added, {result.updated} updated")


@import_app.command("focus-group")
def import_focus_group_command(
    file: Path = typer.Argument(
        ...,
        help="GeoJSON of the places the participants marked (category, "
        "description, time_of_day, audit scores; Persian or English keys)",
    ),
    area: str = typer.Option(..., help="neighbourhood code or name: 2201, دریاچه, Abshar"),
    held_on: str = typer.Option(..., "--date", help="when the session was held: 1399/09/20 or 2020-12-10"),
    facilitator: str = typer.Option(..., help="the facilitator's name"),
    participants: int = typer.Option(..., help="number of participants"),
    women: int = typer.Option(..., help="how many of them were women"),
    notes: str = typer.Option("", help="notes or minutes of the session"),
) -> None:
    """Import a focus-group session and its marked places, all or nothing; importing it again adds nothing."""
    from gis.intake.focus_groups import FocusGroupCreate, import_file
    from gis.lang import jalali
    from gis.places.neighbourhoods import neighbourhood_id

    with migrated_transaction() as conn:
        session = FocusGroupCreate(
            area_id=neighbourhood_id(conn, area),
            held_on=held_on,
            facilitator=facilitator,
            participants=participants,
            women=women,
            notes=notes,
        )
        done = import_file(conn, file, session, radius_m=get_settings().aggregation_radius_m)
    if not done["session_created"] and not done["reports_created"]:
        typer.echo(f"{file.name}: already imported as focus group {done['focus_group_id']}; nothing added")
        return
    typer.echo(
        f"{file.name}: focus group {done['focus_group_id']} ({done['area_code']} {done['area_fa']}, "
        f"{jalali(done['held_on'])}): {done['reports_created']} places reported, "
        f"{done['new_spots']} new spots, {done['spots'] - done['new_spots']} existing spots"
    )


@report_app.command("council")
def report_council(
    out: Path = typer.Argument(..., help="the PDF to write"),
    period: str = typer.Option(..., help="a Jalali year (1399), a month (1399/09) or months (1399/07..09)"),
) -> None:
    """Write the executive council's report of a period as an A4 PDF (the same as /dashboard/report.pdf)."""
    from api.pages.report import council_pdf

    settings = get_settings()
    with migrated_transaction() as conn:
        pdf = council_pdf(conn, period, settings.lang, radius_m=settings.aggregation_radius_m)
    out.write_bytes(pdf)
    typer.echo(f"council report written: {out} ({len(pdf) / 1e3:.0f} kB)")


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="sign-in name: a-z, 0-9, _ . -"),
    role: str = typer.Option(..., help="gis_office, deputy, facilitator, agency or viewer"),
    full_name: str = typer.Option("", help="the person's name as shown in history"),
    area: list[str] = typer.Option([], help="neighbourhood code a facilitator works in (repeatable)"),
    agency: Optional[str] = typer.Option(None, help="agency code for agency users"),
    password_stdin: bool = typer.Option(False, help="read the password from standard input"),
) -> None:
    """Add a user (the password is asked for, or read from stdin with --password-stdin)."""
    from gis.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    with migrated_transaction() as conn:
        user = create_user(
            conn,
            username=username,
            password=password,
            role=role,
            full_name=full_name,
            areas=area,
            agency=agency,
        )
    typer.echo(f"user {user.username} added as {user.role}")


@user_app.command("list")
def user_list() -> None:
    """List users with role, state, agency and neighbourhoods."""
    from gis.users import list_users

    with migrated_transaction() as conn:
        users = list_users(conn)
    for u in users:
        state = "active" if u["active"] else "disabled"
        typer.echo(
            f"{u['username']}\t{u['role']}\t{state}\t{u['agency'] or '-'}\t{u['areas'] or '-'}"
            f"\t{u['full_name']}"
        )


@user_app.command("email")
def user_email(username: str, address: str = typer.Argument("", help="the address; empty: no mail")) -> None:
    """Set the address a user's inbox is mailed to (when an SMTP server is set)."""
    from gis.users import set_email

    with migrated_transaction() as conn:
        set_email(conn, username, address)
    typer.echo(f"user {username}: e-mail {address or 'none'}")


@notify_app.command("send")
def notify_send() -> None:
    """File due and overdue actions and open follow-ups in the inboxes, and mail what is new (daily)."""
    from gis.programme.inbox import send_email, sweep

    settings = get_settings()
    with migrated_transaction() as conn:
        sweep(conn)
        sent = send_email(conn, settings)
    typer.echo(f"{sent} e-mails sent" if settings.smtp_host else "inboxes updated; no SMTP server: no e-mail")


@notify_app.command("digest")
def notify_digest() -> None:
    """Each agency's overdue actions, oldest first: printed, and mailed to its users (run weekly)."""
    from gis.programme.inbox import digest_text, overdue_digest, send_digest

    settings = get_settings()
    with migrated_transaction() as conn:
        digest = overdue_digest(conn)
    for agency in digest:
        subject, body = digest_text(agency, settings.lang)
        typer.echo(f"{subject}\n{body}")
    if settings.smtp_host:
        typer.echo(f"{send_digest(settings, digest)} digests mailed")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user and revoke their tokens (their history stays)."""
    from gis.users import disable_user

    with migrated_transaction() as conn:
        disable_user(conn, username)
    typer.echo(f"user {username} disabled")


@user_app.command("token")
def user_token(username: str) -> None:
    """Issue a bearer token for an API client (QGIS, the 137 hotline's system)."""
    from gis.users import get_user, issue_token

    with migrated_transaction() as conn:
        token, _ = issue_token(conn, get_user(conn, username).id)
    typer.echo(token)


def _progress_bar():
    """A progress bar on stderr (stdout stays the report), gone when the work is done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _english() -> bool:
    """The command line speaks Persian unless SAFEMAP_LANG=en or --lang en."""
    return get_settings().lang == "en"


def _reason(outcome: "RowOutcome") -> str:
    """A row's reason in the command line's language."""
    return outcome.reason if _english() or not outcome.reason_fa else outcome.reason_fa


def _print_rows(result: "ImportResult") -> None:
    """Every problem of every rejected row, every duplicate and every flag, in the command line's language."""
    fa = not _english()
    for outcome in result.rows:
        if outcome.status == "rejected":
            for problem in outcome.all_problems():
                reason = problem.get("reason_fa") if fa and problem.get("reason_fa") else problem["reason"]
                typer.echo(f"row {outcome.row}: rejected: {problem['field']}: {reason}")
        elif outcome.status == "duplicate":
            typer.echo(
                f"row {outcome.row}: duplicate: {_reason(outcome)}"
                + (f" (report {outcome.report_id})" if outcome.report_id else "")
            )
        for flagged in outcome.flags or []:
            message = flagged["message_fa"] if fa else flagged["message"]
            typer.echo(f"row {outcome.row}: to review: {flagged['field']}: {message}")


@import_app.command("reports")
def import_reports_command(
    file: Path = typer.Argument(
        ..., help="CSV (UTF-8 or Windows-1256), XLSX, GeoJSON, GeoPackage or a zipped Shapefile"
    ),
    source: str = typer.Option("mayor", help="mayor, focus_group, hotline_137, field or other"),
    ref: str = typer.Option("", help='the letter\'s number and date, e.g. "۱۲۳/ن۳ 1403/02/10"'),
    crs: str = typer.Option("auto", help="coordinates: auto (degrees or UTM 39N metres), 4326, 32639, …"),
    partial: bool = typer.Option(False, help="keep the valid rows and write the rejected ones to a file"),
    map: Optional[list[str]] = typer.Option(
        None, "--map", help="a column matched by hand, column=field ('نوع فضا=category'); repeatable"
    ),
    alias: Optional[list[str]] = typer.Option(
        None, "--alias", help="what a word means, word=code ('نور کم=poor_lighting'), kept for every channel"
    ),
    fix: Optional[list[str]] = typer.Option(
        None, "--fix", help="a cell fixed, row:column=value ('8:lat=35.71'); repeatable"
    ),
    date: Optional[list[str]] = typer.Option(
        None, "--date", help="a date form's reading for the whole file, written=day ('99/9/18=1399/09/18')"
    ),
    rejected: Optional[Path] = typer.Option(
        None, help="where --partial writes the rejected rows (default: FILE.rejected.csv in this folder)"
    ),
    header_row: Optional[int] = typer.Option(
        None, "--header-row", min=1, help="the row holding the headers (found automatically otherwise)"
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="check every row and print every problem of every row; nothing is kept"
    ),
) -> None:
    """Import a list of reports: every row is accepted, rejected (every field with its reason) or a
    duplicate; conflicts to review are flagged."""
    from gis.db import transaction
    from gis.intake.files import ImportOptions, ImportRejected, import_reports, write_rejected
    from gis.intake.files.adjust import Adjustments, parse_dates, parse_fixes
    from gis.intake.files.batch import check_file
    from gis.intake.files.jobs import needs_job
    from gis.intake.files.mapping import confirm_aliases, parse_map

    url = _migrated_url()
    adjust = Adjustments(parse_map(map or []), parse_fixes(fix or []), parse_dates(date or []))
    if alias:
        with transaction(url) as conn:
            for saved in confirm_aliases(conn, alias):
                typer.echo(f"alias: {saved['written']} = {saved['code']} ({saved['kind']})")
    options = ImportOptions(
        source=source,
        source_ref=ref,
        crs=crs,
        partial=partial,
        actor_name=f"import {file.name}",
        header_row=header_row,
    )
    if not dry_run and needs_job(file, options.crs):
        _import_job(url, file, options, rejected=rejected, adjust=adjust)
        return
    bar = _progress_bar()
    task = bar.add_task(file.name, total=None)
    rest = {
        "columns": adjust.columns,
        "fixes": adjust.fixes,
        "dates": adjust.dates,
        "progress": lambda done, total: bar.update(task, completed=done, total=total),
    }
    try:
        with bar, transaction(url) as conn:
            if dry_run:
                result = check_file(conn, file, options, **rest)
            else:
                result = import_reports(conn, file, options, **rest)
    except ImportRejected as exc:
        result = exc.result
    _print_rows(result)
    if result.previous_batch:
        letter = f", letter «{result.previous_ref}»" if result.previous_ref else ""
        typer.echo(f"this file was imported before (batch {result.previous_batch}{letter})")
    typer.echo(result.summary() + (f"; batch {result.batch_id}" if result.written else ""))
    if dry_run:
        raise typer.Exit(1 if result.count("rejected") else 0)
    if result.written and result.count("rejected"):
        target = rejected or Path.cwd() / f"{file.stem}.rejected.csv"
        typer.echo(f"{write_rejected(target, result)} rejected rows written to {target}")
    if not result.written:
        raise typer.Exit(1)


@import_app.command("withdraw")
def import_withdraw_command(
    batch: int = typer.Argument(..., help="the batch number `safemap import reports` printed"),
    restore: bool = typer.Option(False, "--restore", help="put a withdrawn batch's reports back"),
) -> None:
    """Withdraw a letter imported by mistake: its reports leave their spots, the spots' counts and priority
    are recomputed and the change is in their history; --restore undoes it."""
    from gis.intake.files.withdraw import restore_batch, withdraw_batch

    act = restore_batch if restore else withdraw_batch
    with migrated_transaction() as conn:
        done = act(conn, batch, actor_name="safemap import withdraw")
    verb = "restored to" if restore else "withdrawn from"
    typer.echo(f"batch {batch}: {done['reports']} reports {verb} {len(done['spots'])} spots")


def _import_job(
    url: str, file: Path, options: "ImportOptions", *, rejected: Optional[Path], adjust: "Adjustments"
) -> None:
    """A file over 1,000 rows: imported as a job in committed chunks, in the foreground with a progress bar.
    An unfinished job of the same file (this command killed, or the app's worker stopped) is resumed."""
    from gis.db import connect, transaction
    from gis.errors import SafemapError
    from gis.intake.files.jobs import (
        claim_job,
        create_job,
        release_job,
        run_job,
        unfinished_job,
    )

    with transaction(url) as conn:
        job_id = unfinished_job(conn, file, options)
        if job_id is None:
            job_id = create_job(conn, file, options, file_name=file.name, adjust=adjust)
            typer.echo(f"import job {job_id}: {file.name}, in chunks")
        else:
            typer.echo(f"import job {job_id}: resuming the unfinished import of {file.name}")
    conn = connect(url)
    try:
        if claim_job(conn, job_id) is None:
            raise SafemapError("import_job_busy", job_id=job_id)
        bar = _progress_bar()
        task = bar.add_task(file.name, total=None)
        with bar:
            job = run_job(
                conn,
                job_id,
                progress=lambda phase, done, total: bar.update(
                    task, description=f"{file.name}: {phase}", completed=done, total=total
                ),
            )
        release_job(conn, job_id)
    finally:
        conn.close()
    for row in job["errors"]:
        where = f"row {row['row']}: " if "row" in row else ""
        reason = row["reason"] if _english() or not row.get("reason_fa") else row["reason_fa"]
        typer.echo(f"{where}rejected: {row.get('field')}: {reason}")
    if job["rejected"] > len(job["errors"]):
        typer.echo(f"… and {job['rejected'] - len(job['errors'])} more rejected rows (all in the file below)")
    typer.echo(
        f"{file.name}: {job['accepted']} accepted ({job['new_spots']} new spots),"
        f" {job['duplicates']} duplicate, {job['rejected']} rejected"
        + (f", {job['blank']} blank rows skipped" if job["blank"] else "")
        + (f"; batch {job['batch_id']}" if job["batch_id"] else "")
        + f"; job {job_id} {job['state']}"
        + (f": {job['message']}" if job["message"] else "")
    )
    if job["rejected"] and job["state"] in ("done", "failed"):
        from gis.intake.files.batch import copy_rejected

        target = rejected or Path.cwd() / f"{file.stem}.rejected.csv"
        with transaction(url) as conn, open(target, "w", encoding="utf-8-sig", newline="") as handle:
            written = copy_rejected(conn, handle, job_id=job_id)
        typer.echo(f"{written} rejected rows written to {target}")
    if job["state"] != "done":
        raise typer.Exit(1)


@app.command("export")
def export_command(
    fmt: str = typer.Argument(
        ..., metavar="FORMAT", help="geojson, csv, xlsx, gpkg or shp (a zip of Shapefiles)"
    ),
    out: Path = typer.Argument(..., help="the file to write"),
    layer: list[str] = typer.Option(
        [], "--layer", "-l", help="spots, reports, areas, events (repeat; default all; GeoJSON/CSV: one)"
    ),
    persian_headers: bool = typer.Option(False, help="CSV/XLSX: Persian column headers"),
) -> None:
    """Export spots, reports, areas and events for GIS and spreadsheets (never reporters' contact data)."""
    from gis.publish.exports import (
        SINGLE_LAYER_FORMATS,
        ExportOptions,
        check_export,
        count_rows,
        export,
        parse_layers,
    )

    layers = parse_layers(",".join(layer) or ("spots" if fmt in SINGLE_LAYER_FORMATS else None))
    check_export(fmt, layers)
    bar = _progress_bar()
    with migrated_transaction() as conn:
        total = count_rows(conn, layers)
        task = bar.add_task(f"{out.name}", total=total)
        with bar:
            options = ExportOptions(
                persian_headers=persian_headers, progress=lambda rows: bar.advance(task, rows)
            )
            export(conn, fmt, out, layers, options)
    typer.echo(f"{out}: {total} rows ({', '.join(layers)})")


@app.command("qgis-project")
def qgis_project_command(
    out: Path = typer.Argument(..., help="the .qgz file to write"),
    url: str = typer.Option("", help="Safemap's address as QGIS reaches it (default: http://HOST:PORT)"),
    authcfg: str = typer.Option(
        "safemap", help="the QGIS authentication config the layers use; empty: the public's project"
    ),
) -> None:
    """Write a QGIS project (.qgz): spots by type, reports, areas, base maps, styled as the web map."""
    from gis.publish.qgis_project import project_qgz

    settings = get_settings()
    address = url or f"http://{settings.host}:{settings.port}"
    with migrated_transaction() as conn:
        out.write_bytes(project_qgz(conn, address, lang=settings.lang, authcfg=authcfg))
    typer.echo(f"{out}: QGIS project over {address}" + (f" (auth config {authcfg})" if authcfg else ""))


@app.command()
def aggregate(
    rebuild: bool = typer.Option(False, help="re-cluster automatic stage-1 spots (see README)"),
    radius: Optional[float] = typer.Option(
        None, help="metres, for --rebuild (default: SAFEMAP_AGGREGATION_RADIUS_M)"
    ),
) -> None:
    """Recount every spot's reports, sources and priority; with --rebuild, recompute the assignment too."""
    from gis.aggregation.aggregate import refresh_spots
    from gis.aggregation.rebuild import rebuild as rebuild_spots
    from gis.db import transaction

    if radius is not None and not rebuild:
        raise typer.BadParameter("--radius is for --rebuild", param_hint="--radius")
    settings = get_settings()
    url = _migrated_url()
    if not rebuild:
        with transaction(url) as conn:
            refresh_spots(conn)
        typer.echo("spots recounted: reports, sources and priority")
        return
    radius = radius or settings.aggregation_radius_m
    bar = _progress_bar()
    task = bar.add_task("re-clustering", total=None)
    with bar, transaction(url) as conn:
        result = rebuild_spots(
            conn,
            radius_m=radius,
            actor_name="safemap aggregate --rebuild",
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    typer.echo(result.summary())
    if radius != settings.aggregation_radius_m:
        typer.echo(
            f"note: new reports still join within {settings.aggregation_radius_m:g} m: set "
            f"SAFEMAP_AGGREGATION_RADIUS_M={radius:g} to keep them consistent"
        )


def _take_lang(argv: list[str]) -> None:
    """`--lang en|fa` anywhere on the line sets SAFEMAP_LANG for this run, so every message, report and
    project reads it; any other value stops the run with the reason (exit status 2, as for any bad option)."""
    for i, arg in enumerate(argv[1:], start=1):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i : i + 2]
        elif value is not None:
            del argv[i]
        if value is not None:
            if value not in LANGUAGES:
                typer.echo(f"error: --lang: {value!r} is not one of {', '.join(LANGUAGES)}", err=True)
                sys.exit(2)
            os.environ["SAFEMAP_LANG"] = value
            return


def main() -> None:
    """Entry point: domain errors become one line on stderr and exit status 1, never a traceback."""
    _take_lang(sys.argv)
    try:
        app()
    except SafemapError as exc:
        typer.echo(f"error: {exc.text('en')}" if _english() else f"خطا: {exc.text('fa')}", err=True)
        if exc.detail:
            typer.echo(f"  {exc.detail.splitlines()[-1]}", err=True)
        sys.exit(1)
