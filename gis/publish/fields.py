"""A report's public fields, read the same by OGC and the exports; never the reporter's contact."""

from gis.spots import AREA_CODE_FIELD, CATEGORY_FIELDS, ID_FIELD, PublicField
from gis.vocabulary import AUDIT_CRITERIA

# Audit scores under Shapefile's 10-character limit.
AUDIT_SHORT = {
    "lighting": "au_light",
    "openness": "au_open",
    "visibility": "au_visib",
    "people": "au_people",
    "security": "au_secur",
    "walk_path": "au_walk",
    "public_transport": "au_transp",
    "gender_mix": "au_gender",
    "feeling": "au_feel",
}

# The spot a row belongs to: a report's, and an event's in the exports.
SPOT_ID_FIELD = PublicField("spot_id", "{t}.spot_id", "int", "شناسهٔ فضا")

REPORT_FIELDS: tuple[PublicField, ...] = (
    ID_FIELD,
    SPOT_ID_FIELD,
    PublicField("stage", "sp.stage", "int", "مرحلهٔ فضا"),
    PublicField("source", "{t}.source", "str", "منبع"),
    PublicField("source_ref", "{t}.source_ref", "str", "شمارهٔ مرجع"),
    *CATEGORY_FIELDS,
    PublicField("description", "{t}.description", "str", "شرح", "descr"),
    PublicField("address", "{t}.address", "str", "نشانی"),
    AREA_CODE_FIELD,
    PublicField("time_of_day", "{t}.time_of_day", "str", "زمان روز", "tod"),
    PublicField("location_verified", "{t}.location_verified", "bool", "مکان تأییدشده", "verified"),
    *(
        PublicField(f"audit_{key}", f"({{t}}.audit->>'{key}')::int", "int", f"ممیزی: {fa}", AUDIT_SHORT[key])
        for key, (fa, _) in AUDIT_CRITERIA.items()
    ),
    PublicField("reported_at", "{t}.reported_at", "time", "زمان گزارش", "reported"),
)


def report_source(alias: str = "t") -> str:
    """The report under `alias` joined to what its public fields read (category c, spot sp, area a)."""
    return (
        f"report {alias} JOIN category c ON c.code = {alias}.category"
        f" LEFT JOIN spot sp ON sp.id = {alias}.spot_id LEFT JOIN area a ON a.id = {alias}.area_id"
    )
