-- Whether any of a spot's reports still has a location to be verified (an address or a neighbourhood only):
-- a stage-1 spot in that state takes no other report (gis/aggregation/aggregate.py's CANDIDATE_SQL), and the
-- spot search over a whole file reads this column instead of looking through report for every candidate.
-- Kept by the statement triggers below in the same transaction as every write to report (attach, placement,
-- merge, split, delete, rebuild).
ALTER TABLE spot ADD COLUMN awaiting_location boolean NOT NULL DEFAULT false;
UPDATE spot s SET awaiting_location = true
WHERE s.id IN (SELECT r.spot_id FROM report r WHERE NOT r.location_verified AND r.spot_id IS NOT NULL);
CREATE INDEX spot_awaiting_location_idx ON spot (id) WHERE awaiting_location;

-- The given spots' column set again from their reports, written only where it changes. One pass over their
-- unverified reports (by report_spot_idx, or one scan while a rebuild has set report's indexes aside), not a
-- lookup per spot.
CREATE FUNCTION keep_awaiting_location(spots int[]) RETURNS void LANGUAGE sql AS $$
    UPDATE spot s SET awaiting_location = w.spot_id IS NOT NULL
    FROM (SELECT DISTINCT unnest(spots) AS id) k
    LEFT JOIN (SELECT DISTINCT v.spot_id FROM report v
               WHERE v.spot_id = ANY(spots) AND NOT v.location_verified) w ON w.spot_id = k.id
    WHERE s.id = k.id AND s.awaiting_location <> (w.spot_id IS NOT NULL);
$$;

-- A statement's inserted or deleted reports (the same transition table name in both triggers).
CREATE FUNCTION awaiting_location_added_or_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keep_awaiting_location(array_agg(spot_id))
    FROM changed_reports WHERE spot_id IS NOT NULL AND NOT location_verified;
    RETURN NULL;
END $$;

-- Only the reports whose spot or verified location changed touch a spot's state (before and after).
CREATE FUNCTION awaiting_location_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM keep_awaiting_location(array_agg(m.spot_id))
    FROM (SELECT o.spot_id, n.spot_id AS new_spot, o.location_verified AS old_verified,
                 n.location_verified AS new_verified
          FROM old_reports o JOIN new_reports n USING (id)
          WHERE (o.spot_id, o.location_verified) IS DISTINCT FROM (n.spot_id, n.location_verified)) c,
         LATERAL (VALUES (CASE WHEN NOT c.old_verified THEN c.spot_id END),
                         (CASE WHEN NOT c.new_verified THEN c.new_spot END)) AS m(spot_id)
    WHERE m.spot_id IS NOT NULL;
    RETURN NULL;
END $$;

CREATE FUNCTION awaiting_location_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE spot SET awaiting_location = false WHERE awaiting_location;
    RETURN NULL;
END $$;

CREATE TRIGGER awaiting_location_insert AFTER INSERT ON report REFERENCING NEW TABLE AS changed_reports
    FOR EACH STATEMENT EXECUTE FUNCTION awaiting_location_added_or_removed();
CREATE TRIGGER awaiting_location_delete AFTER DELETE ON report REFERENCING OLD TABLE AS changed_reports
    FOR EACH STATEMENT EXECUTE FUNCTION awaiting_location_added_or_removed();
CREATE TRIGGER awaiting_location_update AFTER UPDATE ON report
    REFERENCING OLD TABLE AS old_reports NEW TABLE AS new_reports
    FOR EACH STATEMENT EXECUTE FUNCTION awaiting_location_updated();
CREATE TRIGGER awaiting_location_truncate AFTER TRUNCATE ON report
    FOR EACH STATEMENT EXECUTE FUNCTION awaiting_location_emptied();
