"""Safety scores and which criteria matter, from the safety audits (the one audit model of gis.intake.field).

The safety score (after Safetipin's published practice: nine parameters scored 0–3, "feeling" among them)
is, for one audit, 1 + 3 × the mean of its assessed criteria, on a 1–10 scale rounded to 0.1: an audit
all "bad" (0) scores 1, all "good" (3) scores 10. Criteria not assessed are left out of the mean, a 0
counts. The database computes it (`safety_audit_score`, migration 0017) so every page and export agrees.

Scores are kept apart by day and after dark (evening counts as night: `safety_period`), since a place safe
by day can be unsafe at night. A spot's score for a period is its latest visit's or re-audit's in that
period, else the mean score of its reports' audits in that period (`spot_safety_score`); a neighbourhood's
is the mean of its spots' scores. Bands: red below 4, amber from 4, green from 7.

Which criteria matter: across all audits (reports and visits), the Spearman rank correlation of each of the
eight physical criteria with "feeling", over the audits that assessed both, with a 95% Fisher-z confidence
interval (scipy.stats).
"""

import math

from gis.db import Conn, dict_cursor
from gis.vocabulary import AUDIT_KEYS

PERIODS = ("day", "night")
AMBER_FROM, GREEN_FROM = 4.0, 7.0
PHYSICAL = tuple(key for key in AUDIT_KEYS if key != "feeling")
MIN_PAIRS = 5  # below this a rank correlation says nothing


def band(score: float | None) -> str | None:
    """green, amber or red for a 1–10 score (None without a score)."""
    if score is None:
        return None
    return "green" if score >= GREEN_FROM else "amber" if score >= AMBER_FROM else "red"


SPOT_SCORES = """
    SELECT spot_safety_score(%(id)s, 'day') AS day, spot_safety_score(%(id)s, 'night') AS night
"""


def spot_scores(conn: Conn, spot_id: int) -> dict:
    """A spot's day and night score with its band."""
    with dict_cursor(conn) as cur:
        cur.execute(SPOT_SCORES, {"id": spot_id})
        row = cur.fetchone()
    return {period: _scored(row[period]) for period in PERIODS}


def _scored(value) -> dict:
    score = float(value) if value is not None else None
    return {"score": score, "band": band(score)}


NEIGHBOURHOOD_SCORES = """
    SELECT a.code, a.name_fa, coalesce(a.name_en, a.name_latin, a.name_fa) AS name_en,
           round(avg(sc.day), 1) AS day, count(sc.day) AS day_spots,
           round(avg(sc.night), 1) AS night, count(sc.night) AS night_spots
    FROM area a
    JOIN spot s ON s.area_id = a.id AND s.status IN ('open', 'resolved')
    CROSS JOIN LATERAL (SELECT spot_safety_score(s.id, 'day') AS day,
                               spot_safety_score(s.id, 'night') AS night) sc
    WHERE a.level = 'neighbourhood' AND (%(area)s::int IS NULL OR a.id = %(area)s OR a.parent_id = %(area)s)
    GROUP BY a.id ORDER BY a.code
"""


def neighbourhood_scores(conn: Conn, area_id: int | None = None) -> list[dict]:
    """Each neighbourhood's mean spot score by day and by night, with how many spots were scored."""
    with dict_cursor(conn) as cur:
        cur.execute(NEIGHBOURHOOD_SCORES, {"area": area_id})
        rows = cur.fetchall()
    return [
        {
            "code": r["code"],
            "name_fa": r["name_fa"],
            "name_en": r["name_en"],
            **{p: {**_scored(r[p]), "spots": r[f"{p}_spots"]} for p in PERIODS},
        }
        for r in rows
    ]


# Spot `s` in the area %(area)s (a neighbourhood, or a region and its neighbourhoods), or any when None.
IN_AREA = "(%(area)s::int IS NULL OR s.area_id IN (SELECT id FROM area WHERE %(area)s IN (id, parent_id)))"
ALL_AUDITS = f"""
    SELECT r.audit FROM report r JOIN spot s ON s.id = r.spot_id WHERE r.audit IS NOT NULL AND {IN_AREA}
    UNION ALL
    SELECT v.audit FROM site_visit v JOIN spot s ON s.id = v.spot_id WHERE v.audit IS NOT NULL AND {IN_AREA}
"""


def all_audits(conn: Conn, area_id: int | None = None) -> list[dict]:
    """Every stored audit (reports' and visits'), optionally of one area's spots."""
    with conn.cursor() as cur:
        cur.execute(ALL_AUDITS, {"area": area_id})
        return [row[0] for row in cur.fetchall()]


def criteria_vs_feeling(audits: list[dict]) -> list[dict]:
    """For each physical criterion: Spearman's rho with "feeling" over the audits that assessed both, its
    95% confidence interval (Fisher z, standard error 1.06/√(n−3) for a rank correlation) and n; rho is
    None below MIN_PAIRS pairs or when either side never varies. Strongest first."""
    # Imported here: scipy.stats takes seconds to load, and every server and CLI start would pay it.
    from scipy import stats

    result = []
    for key in PHYSICAL:
        pairs = [
            (a[key], a["feeling"]) for a in audits if a.get(key) is not None and a.get("feeling") is not None
        ]
        row = {"criterion": key, "n": len(pairs), "rho": None, "low": None, "high": None, "p": None}
        if len(pairs) >= MIN_PAIRS and len({x for x, _ in pairs}) > 1 and len({y for _, y in pairs}) > 1:
            rho, p = stats.spearmanr([x for x, _ in pairs], [y for _, y in pairs])
            half = stats.norm.ppf(0.975) * 1.06 / math.sqrt(len(pairs) - 3)
            z = math.atanh(max(min(rho, 0.999999), -0.999999))
            row |= {
                "rho": round(float(rho), 3),
                "low": round(math.tanh(z - half), 3),
                "high": round(math.tanh(z + half), 3),
                "p": float(p),
            }
        result.append(row)
    return sorted(result, key=lambda r: -abs(r["rho"]) if r["rho"] is not None else 1)
