"""`safemap basemap`: the base maps the tool serves itself (MBTiles, PMTiles, GeoTIFF) and street layers."""

from pathlib import Path
from typing import Optional

import typer

from gis.settings import get_settings

# Each command imports api.cli's migrated_transaction when it runs: api.cli imports this module.
basemap_app = typer.Typer(
    help="Base maps served by Safemap itself (no internet needed) and street layers.", no_args_is_help=True
)


@basemap_app.command("add")
def basemap_add(
    file: Path = typer.Argument(..., help="an MBTiles or PMTiles file (raster or vector), or a GeoTIFF"),
    name: str = typer.Option(..., help="short name, used in the tiles' URL: a-z, 0-9, - and _"),
    attribution: str = typer.Option("", help="credit shown on the map, e.g. © District 22 GIS office"),
) -> None:
    """Register a local base map: the file is copied into the data folder and served at
    /basemaps/NAME/{z}/{x}/{y}.png (.pbf for vector tiles)."""
    from api.cli import migrated_transaction
    from gis.publish.basemaps import add_basemap

    with migrated_transaction() as conn:
        row = add_basemap(conn, file, name=name, attribution=attribution, folder=get_settings().basemap_dir)
    typer.echo(
        f"base map {row['name']}: {row['kind']} of {row['tile_format']} tiles, zoom {row['min_zoom']}–"
        f"{row['max_zoom']}, served from {row['path']}"
    )


@basemap_app.command("list")
def basemap_list() -> None:
    """The registered base maps, in the order the maps offer them."""
    from api.cli import migrated_transaction
    from gis.publish.basemaps import list_basemaps

    with migrated_transaction() as conn:
        rows = list_basemaps(conn)
    if not rows:
        typer.echo("no base maps; add one with: safemap basemap add FILE --name NAME")
    for row in rows:
        typer.echo(
            f"{row['name']}\t{row['kind']}\t{row['tile_format']}\tzoom {row['min_zoom']}–{row['max_zoom']}"
            f"\t{row['path']}"
        )


@basemap_app.command("remove")
def basemap_remove(name: str = typer.Argument(..., help="the base map's name")) -> None:
    """Unregister a base map and delete its copied file."""
    from api.cli import migrated_transaction
    from gis.publish.basemaps import remove_basemap

    with migrated_transaction() as conn:
        path = remove_basemap(conn, name)
    path.unlink(missing_ok=True)  # after the commit: a failed removal keeps the file the row points to
    typer.echo(f"base map {name} removed")


@basemap_app.command("streets")
def basemap_streets(
    file: Path = typer.Argument(..., help="street centrelines: Shapefile, GeoPackage or GeoJSON"),
    name_column: Optional[str] = typer.Option(None, help="the column of street names (found when omitted)"),
) -> None:
    """Load a street layer: drawn on every map and found by address search. Loading a file of the same name
    again replaces its streets."""
    from api.cli import migrated_transaction
    from gis.places.streets import load_streets

    with migrated_transaction() as conn:
        count = load_streets(conn, file, name_column=name_column)
    typer.echo(f"{file.name}: {count} named streets loaded")
