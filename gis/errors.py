"""The domain's error family and the one catalogue of its messages in Persian and English. No HTTP here:
api/ maps each class to a status code and picks the language."""

import tomllib
from pathlib import Path

LANGUAGES = ("fa", "en")


def read_catalogue(path: Path) -> dict[str, dict]:
    """A catalogue's data file (TOML): its sections, each of tables keyed by what the code looks up."""
    with path.open("rb") as file:
        return tomllib.load(file)


def pairs(
    tables: dict[str, dict[str, str]], names: tuple[str, str] = LANGUAGES
) -> dict[str, tuple[str, str]]:
    """key → (Persian, English) from tables each holding `fa` and `en`, or the pair of the two `names` given
    (Open311's group and keywords); a table lacking either fails at import."""
    first, second = names
    return {key: (table[first], table[second]) for key, table in tables.items()}


# Every reason and message a user can read, and the names users know fields by: key → (Persian, English),
# kept as data in errors.toml next to this module (one table per key with its `fa` and `en`); {name}
# placeholders are filled from the raise's params.
_CATALOGUE = read_catalogue(Path(__file__).with_name("errors.toml"))
MESSAGES: dict[str, tuple[str, str]] = pairs(_CATALOGUE["messages"])
# A field missing here is shown as its code.
FIELDS: dict[str, tuple[str, str]] = pairs(_CATALOGUE["fields"])

# FastAPI's (pydantic's) error kinds → the catalogue's reason; any other kind reads as schema_invalid.
SCHEMA_REASONS: dict[str, str] = {
    "missing": "schema_missing",
    "int_parsing": "schema_not_integer",
    "int_type": "schema_not_integer",
    "int_from_float": "schema_not_integer",
    "float_parsing": "schema_not_number",
    "float_type": "schema_not_number",
    "finite_number": "schema_not_number",
    "bool_parsing": "schema_not_boolean",
    "bool_type": "schema_not_boolean",
    "string_type": "schema_not_text",
    "date_parsing": "schema_not_date",
    "date_type": "schema_not_date",
    "date_from_datetime_parsing": "schema_not_date",
    "datetime_parsing": "schema_not_date",
    "datetime_type": "schema_not_date",
    "datetime_from_date_parsing": "schema_not_date",
    "uuid_parsing": "schema_not_uuid",
    "uuid_type": "schema_not_uuid",
    "json_invalid": "schema_not_json",
    "dict_type": "schema_wrong_shape",
    "list_type": "schema_wrong_shape",
    "model_type": "schema_wrong_shape",
    "model_attributes_type": "schema_wrong_shape",
    "extra_forbidden": "schema_unknown_field",
    "string_too_short": "schema_too_short",
    "too_short": "schema_too_short",
    "string_too_long": "schema_too_long",
    "too_long": "schema_too_long",
    "greater_than_equal": "schema_at_least",
    "greater_than": "schema_above",
    "less_than_equal": "schema_at_most",
    "less_than": "schema_below",
    "literal_error": "schema_not_allowed",
    "enum": "schema_not_allowed",
}


def text(key: str, lang: str = "en", **params: object) -> str:
    """The catalogue's sentence for `key` in `lang`, filled in; a text that is no key is shown as given."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    # A parameter that is itself an error (the first refused feature of a batch) is read in the same language.
    params = {k: v.reason_text(lang) if isinstance(v, InvalidInput) else v for k, v in params.items()}
    return pick(entry, lang).format(**params)


def field_label(field: str, lang: str = "en") -> str:
    """How a field is named to a reader of `lang`."""
    return pick(FIELDS[field], lang) if field in FIELDS else field


def schema_reason(kind: str, context: dict, lang: str = "en") -> str:
    """Why FastAPI refused a value, as the catalogue words it; a reason it needs a limit for and lacks is the
    general one, so a message never shows a blank."""
    key = SCHEMA_REASONS.get(kind, "schema_invalid")
    try:
        return text(key, lang, **context)
    except (KeyError, IndexError):
        return text("schema_invalid", lang)


def pick(pair: tuple[str, str], lang: str) -> str:
    """The English of a (Persian, English) pair for an English reader, else the Persian: every catalogue,
    the domain's and the pages', chooses its language by this one rule."""
    return pair[1] if lang == "en" else pair[0]


class SafemapError(Exception):
    """Base class: `message` (a catalogue key and its parameters) is for the user, `detail` for the log."""

    code = "error"

    def __init__(
        self, message: str, /, *, field: str | None = None, detail: str = "", **params: object
    ) -> None:
        self.key, self.params = message, params
        self.field = field
        self.detail = detail
        self.message = self.text("en")
        super().__init__(self.message)

    def text(self, lang: str = "en") -> str:
        """The message for a reader of `lang` (fa or en)."""
        return text(self.key, lang, **self.params)


class InvalidInput(SafemapError):
    """Input that breaks a rule; `field` names what was wrong, `reason` (a catalogue key) why."""

    code = "invalid_input"

    def __init__(
        self, field: str, reason: str, /, *, rows: list[dict] | None = None, **params: object
    ) -> None:
        self.rows = rows or []
        super().__init__(reason, field=field, **params)
        self.reason = self.reason_text("en")

    def reason_text(self, lang: str = "en") -> str:
        """The reason alone, without the field, for a reader of `lang`."""
        return text(self.key, lang, **self.params)

    def text(self, lang: str = "en") -> str:
        return f"{field_label(self.field or '', lang)}: {self.reason_text(lang)}"


class NotFound(SafemapError):
    code = "not_found"


class Conflict(SafemapError):
    code = "conflict"


class Forbidden(SafemapError):
    code = "forbidden"


class Unauthorized(SafemapError):
    code = "unauthorized"


class TooManyAttempts(SafemapError):
    """Too many attempts in a short time: try again after `retry_after` seconds."""

    code = "too_many_attempts"

    def __init__(self, message: str, /, *, retry_after: int, **params: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **params)


class DatabaseUnavailable(SafemapError):
    code = "database_unavailable"


class ClusterError(SafemapError):
    """The embedded PostgreSQL could not be set up or started."""

    code = "cluster_error"
