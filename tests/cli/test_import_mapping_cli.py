"""`safemap import reports --map --alias`: the import page's column matches and value mappings on the command
line. A confirmed word is kept for every channel, so the next list in the same words needs no --alias."""

import psycopg2

from tests.api.channels import point_in
from tests.cli.test_cli import run


def test_map_and_alias_on_the_command_line(db_url, tmp_path) -> None:
    lon, lat = point_in(db_url, "2205")
    path = tmp_path / "list.csv"
    path.write_text(f"نوع فضا,y,x\nنور کم,{lat},{lon}\n", encoding="utf-8")
    env = {"DATABASE_URL": db_url}
    refused = run("import", "reports", str(path), "--ref", "12", "--map", "y=lat", "--map", "x=lon", env=env)
    assert refused.returncode == 1 and "نور کم" in refused.stdout + refused.stderr
    done = run(
        "import", "reports", str(path), "--ref", "12", "--map", "y=lat", "--map", "x=lon",
        "--alias", "نور کم=poor_lighting", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alias: نور کم = poor_lighting (category)" in done.stdout
    assert "1 accepted" in done.stdout
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT code FROM vocabulary_alias WHERE kind = 'category' AND key = 'نور کم'")
        assert cur.fetchone() == ("poor_lighting",)
    wrong = run("import", "reports", str(path), "--map", "ستون=category", env=env)
    assert wrong.returncode == 1 and "ستون" in wrong.stderr
