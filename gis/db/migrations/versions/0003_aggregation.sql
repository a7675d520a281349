-- Which categories may describe the same place. Lighting problems are often *the* problem of an alley, an
-- underpass, a park corner or a stop; "other" fits anything. Everything else must match exactly.
CREATE FUNCTION category_compatible(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT a = b OR a = 'other' OR b = 'other'
        OR (a = 'poor_lighting' AND b IN ('dead_end_alley', 'underpass_bridge', 'park_corner', 'isolated_stop'))
        OR (b = 'poor_lighting' AND a IN ('dead_end_alley', 'underpass_bridge', 'park_corner', 'isolated_stop'))
$$;

-- A spot's priority (documented in README "Aggregation"): 3 per distinct source, 2·ln(1 + reports),
-- up to 2 for the share of reports marked evening/night, and up to 3 for poor audit scores.
CREATE FUNCTION spot_priority(reports bigint, sources bigint, night_share numeric, audit_risk numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round((3 * sources + 2 * ln(1 + reports) + 2 * coalesce(night_share, 0)
                  + coalesce(audit_risk, 0))::numeric, 2)
$$;

CREATE INDEX report_spot_source_idx ON report (spot_id, source);
