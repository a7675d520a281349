"""Every term of the programme with its Persian and English labels, and the one resolver of each term.

Channels hand in what people wrote ('زمین خالی', 'صبح', 'Abshar'); the resolvers here turn it into the code
the database stores, the same way whichever channel it came through, and name the field when they cannot.
Words are compared by `gis.lang.match_key`. Categories and sources are rows (tables `category`, `source`);
their aliases live here, once. Neighbourhoods resolve in `gis.places.neighbourhoods`, with the aliases below.
Beside the built-in aliases, every resolver accepts the words the GIS office confirmed once (table
`vocabulary_alias`, written by `save_alias`), so a word mapped on the import page resolves in every channel.
The terms' labels are data in vocabulary.toml next to this module (one table per code with its `fa` and `en`),
read in the order written there.
"""

import re
from datetime import datetime, time
from pathlib import Path

from gis.db import Conn, dict_cursor
from gis.errors import InvalidInput, pairs, read_catalogue
from gis.lang import latin_digits, match_key, normalise_persian

_TERMS = read_catalogue(Path(__file__).with_name("vocabulary.toml"))

# The safety audit (after Safetipin): nine criteria scored 0–3, labelled as the tablet page shows them.
AUDIT_CRITERIA: dict[str, tuple[str, str]] = pairs(_TERMS["audit_criteria"])
AUDIT_KEYS = tuple(AUDIT_CRITERIA)

# What happened to a spot (spot_event.kind), as its history shows it.
EVENT_KINDS: dict[str, tuple[str, str]] = pairs(_TERMS["event_kinds"])

# How sure a report's or spot's location is (report/spot.location_precision), best first. Only a located
# one (exact or placed) is a place on the map; the others lie at their neighbourhood's point, to be placed.
LOCATION_PRECISIONS: dict[str, tuple[str, str]] = pairs(_TERMS["location_precisions"])
LOCATED = ("exact", "placed")

# Who reads a note in a spot's history (spot_event.visibility): the staff only (default) or the public too.
NOTE_VISIBILITY: dict[str, tuple[str, str]] = pairs(_TERMS["note_visibility"])

# The codes of table `source`, for checks that run per report without a query.
SOURCES = ("mayor", "focus_group", "hotline_137", "field", "other")

TIMES_OF_DAY: dict[str, tuple[str, str]] = pairs(_TERMS["times_of_day"])
# Words people use for each time of day, beyond its code and labels; a clock time (22:30) also resolves.
TIME_OF_DAY_ALIASES = {
    "day": ("daytime", "صبح", "ظهر", "بعدازظهر", "بعد از ظهر"),
    "evening": ("غروب",),
    "night": ("نیمه شب", "شبانه"),
}

# Words people use for each category, beyond its code and its Persian and English labels.
CATEGORY_ALIASES = {
    "poor_lighting": (
        "روشنایی",
        "تاریک",
        "معبر تاریک",
        "کم نور",
        "نور ناکافی",
        "فاقد روشنایی",
        "lighting",
        "dark",
        "unlit",
        "no lighting",
        "dark street",
    ),
    "abandoned_building": (
        "ساختمان متروکه",
        "متروکه",
        "ساختمان نیمه ساز",
        "نیمه ساز",
        "ساختمان نیمه کاره",
        "نیمه کاره",
        "مخروبه",
        "ساختمان مخروبه",
        "abandoned",
        "abandoned building",
        "half built building",
        "derelict building",
    ),
    "vacant_lot": ("زمین بایر", "بایر", "زمین خالی", "زمین رها شده", "vacant", "vacant land", "empty lot"),
    "underpass_bridge": (
        "زیرگذر",
        "پل عابر",
        "پل عابر پیاده",
        "زیرگذر عابر پیاده",
        "underpass",
        "pedestrian bridge",
        "footbridge",
        "overpass",
    ),
    "park_corner": ("پارک", "گوشه پارک", "فضای سبز", "park", "park corner"),
    "dead_end_alley": (
        "کوچه بن بست",
        "بن بست",
        "کوچه باریک",
        "کوچه",
        "dead end",
        "alley",
        "dead end alley",
        "narrow alley",
    ),
    "isolated_stop": (
        "ایستگاه",
        "ایستگاه اتوبوس",
        "ایستگاه تاکسی",
        "ایستگاه دورافتاده",
        "bus stop",
        "stop",
        "transit stop",
        "isolated stop",
    ),
    "river_highway_margin": (
        "حاشیه رودخانه",
        "حاشیه بزرگراه",
        "رودخانه",
        "بزرگراه",
        "حریم بزرگراه",
        "river",
        "highway",
        "river margin",
        "highway margin",
    ),
    "offender_gathering": (
        "تجمع معتادان",
        "محل تجمع معتادان",
        "معتادان",
        "بزهکار",
        "تجمع اراذل",
        "drug users",
        "offenders",
        "offender gathering",
    ),
    "other": ("سایر", "دیگر", "متفرقه"),
}

# Words that, found anywhere in a cell, point to a category: the suggestion for a wording no alias knows
# ('کوچه با نور کم' names lighting → poor lighting). Compared by match key, word by word.
CATEGORY_KEYWORDS = {
    "poor_lighting": ("نور", "روشنایی", "تاریک", "تاریکی", "چراغ", "لامپ", "light", "dark", "lamp"),
    "abandoned_building": ("متروکه", "مخروبه", "نیمه ساز", "نیمه کاره", "ساختمان", "building", "derelict"),
    "vacant_lot": ("زمین", "بایر", "خالی", "lot", "vacant", "land"),
    "underpass_bridge": ("زیرگذر", "پل", "تونل", "underpass", "bridge", "tunnel"),
    "park_corner": ("پارک", "بوستان", "فضای سبز", "park", "garden"),
    "dead_end_alley": ("کوچه", "بن بست", "باریک", "alley", "dead end"),
    "isolated_stop": ("ایستگاه", "اتوبوس", "تاکسی", "مترو", "stop", "bus", "station"),
    "river_highway_margin": ("رودخانه", "رود", "بزرگراه", "اتوبان", "حاشیه", "river", "highway"),
    "offender_gathering": ("معتاد", "معتادان", "بزهکار", "اراذل", "مواد", "drug", "offender"),
}

# The kinds of term the GIS office may confirm an alias for (vocabulary_alias.kind).
ALIAS_KINDS = ("category", "neighbourhood", "time_of_day", "source")

# Names the programme uses that are not in the municipal layer (Abshar is taken as Omid-Dezhban, 2203),
# and the short names its focus groups go by; read by gis.places.neighbourhoods.
NEIGHBOURHOOD_ALIASES = {
    "آبشار": "2203",
    "abshar": "2203",
    "شریف": "2201",
    "sharif": "2201",
    "زیبادشت": "2205",
    "zibadasht": "2205",
    "دریاچه": "2209",
    "daryacheh": "2209",
}

_CLOCK = re.compile(r"^\s*(\d{1,2})[:.]\d{2}")


def _index(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {match_key(word): code for code, words in groups.items() for word in (code, *words)}


_TIME_INDEX = _index(
    {code: (*labels, *TIME_OF_DAY_ALIASES.get(code, ())) for code, labels in TIMES_OF_DAY.items()}
)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# A date form the GIS office may confirm once for every later file (an alias of kind 'date'): a two-digit
# Jalali year read in this century or the last, whichever is not ahead (۹۹/۹/۱۸ → 1399/09/18).
TWO_DIGIT_YEAR = "two_digit_year"


def date_rules(conn: Conn) -> set[str]:
    """The date forms the GIS office confirmed: their readings are no longer asked or flagged."""
    return set(saved_aliases(conn, "date"))


def confirm_date_rule(conn: Conn, *, rule: str, user_id: int | None) -> dict:
    """Remember that the office reads `rule`'s form as the importer suggests, in every later file."""
    if rule != TWO_DIGIT_YEAR:
        raise InvalidInput("rule", "one_of", choices=TWO_DIGIT_YEAR)
    with dict_cursor(conn) as cur:
        cur.execute(
            """
            INSERT INTO vocabulary_alias (kind, written, key, code, created_by)
            VALUES ('date', %s, %s, %s, %s)
            ON CONFLICT (kind, key) DO UPDATE SET created_by = EXCLUDED.created_by, created_at = now()
            RETURNING kind, written, key, code
            """,
            (rule, rule, rule, user_id),
        )
        return dict(cur.fetchone())


def saved_aliases(conn: Conn, kind: str) -> dict[str, str]:
    """The code of every word the GIS office confirmed for `kind`, by its match key."""
    with conn.cursor() as cur:
        cur.execute("SELECT key, code FROM vocabulary_alias WHERE kind = %s", (kind,))
        return dict(cur.fetchall())


def save_alias(conn: Conn, *, kind: str, written: str, code: str, user_id: int | None) -> dict:
    """Confirm that `written` means `code` from now on (a later confirmation of the same word replaces it);
    InvalidInput when the kind or the code is not a term of the vocabulary."""
    if kind not in ALIAS_KINDS:
        raise InvalidInput("kind", "one_of", choices=", ".join(ALIAS_KINDS))
    key = match_key(written)
    if not key or len(key) > 200:
        raise InvalidInput("written", "empty")
    if code not in alias_targets(conn, kind):
        raise InvalidInput("code", "alias_target_unknown", code=code)
    with dict_cursor(conn) as cur:
        cur.execute(
            """
            INSERT INTO vocabulary_alias (kind, written, key, code, created_by) VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (kind, key) DO UPDATE SET written = EXCLUDED.written, code = EXCLUDED.code,
                created_by = EXCLUDED.created_by, created_at = now()
            RETURNING kind, written, key, code
            """,
            (kind, normalise_persian(written.strip()), key, code, user_id),
        )
        return cur.fetchone()


_TARGETS = {
    "category": "SELECT code, label_fa, label_en FROM category ORDER BY sort",
    "neighbourhood": "SELECT code, name_fa, coalesce(name_en, name_latin, name_fa) FROM area"
    " WHERE level = 'neighbourhood' ORDER BY code",
    "source": "SELECT code, label_fa, label_en FROM source ORDER BY code",
}


def alias_targets(conn: Conn, kind: str) -> dict[str, tuple[str, str]]:
    """The terms of `kind` an alias may name: code → (Persian, English) label."""
    if kind == "time_of_day":
        return dict(TIMES_OF_DAY)
    with conn.cursor() as cur:
        cur.execute(_TARGETS[kind])
        return {code: (fa, en) for code, fa, en in cur.fetchall()}


def time_names(conn: Conn) -> dict[str, str]:
    """Every word for a time of day (built-in and confirmed) by its match key; pass to `time_of_day`."""
    return _TIME_INDEX | saved_aliases(conn, "time_of_day")


def time_of_day(
    value: object, *, field: str = "time_of_day", names: dict[str, str] | None = None
) -> str | None:
    """'شب' → night, 'صبح' → day, '۲۲:۳۰' → night (06–16 day, 17–19 evening, else night); None when blank.
    `names` (`time_names`) adds the words the GIS office confirmed."""
    if _blank(value):
        return None
    if isinstance(value, datetime | time):
        hour = value.hour
    else:
        clock = _CLOCK.match(latin_digits(str(value)))
        if clock is None:
            code = (names or _TIME_INDEX).get(match_key(value))
            if code is None:
                raise InvalidInput(field, "day_evening_night_nor_time", when=value)
            return code
        hour = int(clock.group(1))
        if hour > 23:
            raise InvalidInput(field, "day_evening_night_nor_time", when=value)
    return "day" if 6 <= hour < 17 else "evening" if 17 <= hour < 20 else "night"


def category_names(conn: Conn) -> dict[str, str]:
    """Every name of every category (code, labels, aliases) by its match key; load once for a whole file."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, label_fa, label_en FROM category")
        rows = cur.fetchall()
    names = _index({code: (*labels, *CATEGORY_ALIASES.get(code, ())) for code, *labels in rows})
    return saved_aliases(conn, "category") | names


def category(conn: Conn, text: object, *, field: str = "category") -> str:
    """The category code 'زمین خالی', 'Vacant lot' or 'vacant_lot' names; else InvalidInput naming `field`."""
    return resolve_category(category_names(conn), text, field=field)


def resolve_category(names: dict[str, str], text: object, *, field: str = "category") -> str:
    """`category` over names loaded once (`category_names`), for a file of many rows."""
    code = names.get(match_key(text))
    if code is None:
        raise InvalidInput(field, "unknown_category", category=text)
    return code


def source(conn: Conn, text: object, *, field: str = "source") -> str:
    """The source code 'گروه کانونی', 'Focus group' or 'focus_group' names."""
    with conn.cursor() as cur:
        cur.execute("SELECT code, label_fa, label_en FROM source ORDER BY code")
        rows = cur.fetchall()
    names = saved_aliases(conn, "source") | _index({code: tuple(labels) for code, *labels in rows})
    code = names.get(match_key(text))
    if code is None:
        raise InvalidInput(field, "one_of", choices=", ".join(code for code, *_ in rows))
    return code


# The reference tables as API clients read them, fa/en labels with each.
REFERENCE_QUERIES = {
    "categories": "SELECT code, label_fa, label_en, icon FROM category ORDER BY sort",
    "stages": "SELECT number, code, label_fa, label_en, colour FROM stage ORDER BY number",
    "sources": "SELECT code, label_fa, label_en FROM source ORDER BY code",
}


def reference_list(conn: Conn, name: str) -> list[dict]:
    """One reference table (categories with icons, stages with colours, sources) for API clients."""
    with dict_cursor(conn) as cur:
        cur.execute(REFERENCE_QUERIES[name])
        return cur.fetchall()
