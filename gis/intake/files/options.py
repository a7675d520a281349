"""What a file import was asked to do: one set of options that the import at once, its background job and the
record of a refused file all take, so their defaults cannot drift apart."""

from dataclasses import dataclass, field

from gis.errors import InvalidInput
from gis.settings import get_settings
from gis.vocabulary import SOURCES


@dataclass(frozen=True)
class ImportOptions:
    """Where the file comes from (source and letter reference), how to read it (`crs`: 'auto', 4326, 32639,
    …; `header_row`: found when None), whether to keep the valid rows of a file with rejected ones
    (`partial`), the radius its reports join spots within (the setting's) and who imports it."""

    source: str = "mayor"
    source_ref: str = ""
    crs: str = "auto"
    partial: bool = False
    radius_m: float = field(default_factory=lambda: get_settings().aggregation_radius_m)
    actor_id: int | None = None
    actor_name: str = ""
    header_row: int | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise InvalidInput("source", "one_of", choices=", ".join(SOURCES))
        object.__setattr__(self, "source_ref", self.source_ref.strip())  # a letter is matched without blanks
