-- One audit model (gis/intake/field.py): an object of the nine criteria, each 0–3 or null ("not assessed");
-- a missing key is not assessed too; 0 is a real score; at least one criterion assessed.
UPDATE report SET audit = NULL
WHERE audit IS NOT NULL AND NOT EXISTS (SELECT 1 FROM jsonb_each(audit) kv WHERE jsonb_typeof(kv.value) = 'number');
UPDATE site_visit SET audit = NULL
WHERE audit IS NOT NULL AND purpose = 'visit'
  AND NOT EXISTS (SELECT 1 FROM jsonb_each(audit) kv WHERE jsonb_typeof(kv.value) = 'number');

CREATE OR REPLACE FUNCTION safety_audit_is_valid(audit jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT audit IS NULL OR (
        jsonb_typeof(audit) = 'object'
        AND NOT EXISTS (
            SELECT 1 FROM jsonb_each(audit) AS kv(key, value)
            WHERE kv.key NOT IN ('lighting', 'openness', 'visibility', 'people', 'security',
                                 'walk_path', 'public_transport', 'gender_mix', 'feeling')
               OR (jsonb_typeof(kv.value) <> 'null'
                   AND (jsonb_typeof(kv.value) <> 'number' OR kv.value::text !~ '^[0-3]$'))
        )
        AND EXISTS (SELECT 1 FROM jsonb_each(audit) AS kv(key, value) WHERE jsonb_typeof(kv.value) = 'number')
    )
$$;

-- A re-audit may be partial too; it must still be an audit.
ALTER TABLE site_visit DROP CONSTRAINT site_visit_re_audit_complete;
DROP FUNCTION safety_audit_is_complete(jsonb);
ALTER TABLE site_visit ADD CONSTRAINT site_visit_re_audit_has_audit CHECK (purpose <> 're_audit' OR audit IS NOT NULL);

-- When the visit's audit was taken: a place safe by day can be unsafe at night.
ALTER TABLE site_visit ADD COLUMN time_of_day text CHECK (time_of_day IN ('day', 'evening', 'night'));

-- The mean of the assessed criteria (0–3): "not assessed" is skipped, 0 counts.
CREATE OR REPLACE FUNCTION safety_audit_mean(audit jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT avg(value::text::numeric) FROM jsonb_each(audit) WHERE jsonb_typeof(value) = 'number'
$$;

-- The safety score 1–10 of one audit (formula documented in gis/programme/safety.py): 1 + 3 × the mean.
CREATE FUNCTION safety_audit_score(audit jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT round(1 + 3 * public.safety_audit_mean(audit), 1)
$$;

-- The audit a fix is judged against: the latest stage-3 visit's, else the mean of the reports' audits
-- (each criterion over the reports that assessed it).
CREATE OR REPLACE FUNCTION spot_audit_before(spot integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT v.audit FROM site_visit v WHERE v.spot_id = spot AND v.purpose = 'visit' AND v.audit IS NOT NULL
         ORDER BY v.visited_on DESC, v.id DESC LIMIT 1),
        (SELECT jsonb_object_agg(kv.key, kv.score) FROM (
             SELECT e.key, round(avg(e.value::text::numeric), 2) AS score
             FROM report r, jsonb_each(r.audit) e
             WHERE r.spot_id = spot AND r.audit IS NOT NULL AND jsonb_typeof(e.value) = 'number'
             GROUP BY e.key) kv))
$$;

-- The time of day of that first audit: the visit's, else the most common among the audited reports.
CREATE FUNCTION spot_audit_time_before(spot integer) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN v.id IS NOT NULL THEN v.time_of_day
                ELSE (SELECT mode() WITHIN GROUP (ORDER BY r.time_of_day) FROM report r
                      WHERE r.spot_id = spot AND r.audit IS NOT NULL AND r.time_of_day IS NOT NULL) END
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT v.id, v.time_of_day FROM site_visit v
                       WHERE v.spot_id = spot AND v.purpose = 'visit' AND v.audit IS NOT NULL
                       ORDER BY v.visited_on DESC, v.id DESC LIMIT 1) v ON true
$$;

-- The time of day of the latest re-audit.
CREATE FUNCTION spot_audit_time_after(spot integer) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT v.time_of_day FROM site_visit v WHERE v.spot_id = spot AND v.purpose = 're_audit'
    ORDER BY v.visited_on DESC, v.id DESC LIMIT 1
$$;

-- Scores are shown for day and after dark: evening counts as night.
CREATE FUNCTION safety_period(time_of_day text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE time_of_day WHEN 'day' THEN 'day' WHEN 'evening' THEN 'night' WHEN 'night' THEN 'night' END
$$;

-- A spot's current safety score (1–10) by day or by night: its latest visit or re-audit in that period,
-- else the mean score of its reports' audits in that period; NULL where none was taken then.
CREATE FUNCTION spot_safety_score(spot integer, period text) RETURNS numeric
LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT public.safety_audit_score(v.audit) FROM site_visit v
         WHERE v.spot_id = spot AND v.audit IS NOT NULL AND public.safety_period(v.time_of_day) = period
         ORDER BY v.visited_on DESC, v.id DESC LIMIT 1),
        (SELECT round(avg(public.safety_audit_score(r.audit)), 1) FROM report r
         WHERE r.spot_id = spot AND r.audit IS NOT NULL AND public.safety_period(r.time_of_day) = period))
$$;
