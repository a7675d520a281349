"""Settings from the environment or a `.env` file, validated once and cached."""

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the tool reads from its environment (prefix SAFEMAP_, except DATABASE_URL)."""

    model_config = SettingsConfigDict(env_prefix="SAFEMAP_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "SAFEMAP_DATABASE_URL")
    )
    # A streaming standby for reads (tiles, OGC features, map data, exports); unset: all on the primary.
    database_read_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_READ_URL", "SAFEMAP_DATABASE_READ_URL")
    )
    pg_dir: Path = Path("var/pg")
    pg_port: int | None = Field(default=None, ge=1024, le=65535)
    pg_database: str = "safemap"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    aggregation_radius_m: float = Field(default=50.0, gt=0, le=1000)
    basemap_url: str | None = None
    basemap_attribution: str = ""
    basemap_dir: Path = Path("var/basemaps")  # the data folder's copies of `safemap basemap add` files
    # The most a facilitator's tablet downloads to work offline (base map tiles and spots), in MB.
    field_offline_max_mb: float = Field(default=50, gt=0, le=2048)
    open311_api_keys: str = ""
    public_map: bool = True
    # The address users reach the tool by (https://gis.example.ir/safemap): links in OGC and Open311 answers
    # are built from it instead of the request's Host header.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^/\s]+(/\S*)?$")
    upload_max_mb: int = Field(default=200, ge=1, le=2048)
    bearer_token_days: int = Field(default=30, ge=1, le=365)
    # What the public sees of where a place is (gis/publish/precision.py, README "Location precision for the
    # public"): exact for fixed infrastructure, only the neighbourhood for gatherings, the rest on a grid.
    public_exact_categories: str = "poor_lighting,underpass_bridge,isolated_stop"
    public_neighbourhood_categories: str = "offender_gathering"
    public_grid_m: int = Field(default=250, ge=50, le=5000)
    public_min_count: int = Field(default=5, ge=1, le=100)  # k: smaller counts never reach a public aggregate
    timezone: str = "Asia/Tehran"  # whose days count: "today", periods, deadlines (gis/clock.py)
    # Reports dated before the programme began (1398/01/01) are refused as misread dates.
    programme_start: date = date(2019, 3, 21)
    lang: Literal["fa", "en"] = "fa"  # the command line's messages; pages and the API choose per request
    # E-mail of inbox notifications and the weekly digest, optional: with no SMTP host nothing is sent.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "safemap@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False

    @field_validator("public_exact_categories", "public_neighbourhood_categories")
    @classmethod
    def _known_categories(cls, text: str) -> str:
        """A typo in a category code would silently leave that category on the grid: refuse it at load."""
        from gis.vocabulary import CATEGORY_ALIASES  # at load, not import: gis.vocabulary reads gis.db

        unknown = [c.strip() for c in text.split(",") if c.strip() and c.strip() not in CATEGORY_ALIASES]
        if unknown:
            raise ValueError(f"not a category: {', '.join(unknown)} (known: {', '.join(CATEGORY_ALIASES)})")
        return text

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        """A misspelt zone would fail at the first date, deep in a request: refuse it at load."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"not an IANA time zone: {name}") from exc
        return name


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests clear the cache after changing the environment."""
    return Settings()
