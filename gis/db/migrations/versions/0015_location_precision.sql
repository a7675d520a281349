-- How sure a location is: exact (GPS or surveyed), placed (by hand on the map), address, neighbourhood only.
-- An address- or neighbourhood-only place lies at its neighbourhood's point until the GIS office places it.
ALTER TABLE report ADD COLUMN location_precision text NOT NULL DEFAULT 'exact'
    CONSTRAINT report_location_precision CHECK (location_precision IN ('exact', 'placed', 'address', 'neighbourhood'));
UPDATE report SET location_precision = CASE WHEN address <> '' THEN 'address' ELSE 'neighbourhood' END
WHERE NOT location_verified;
-- location_verified now follows the precision, so the two can never disagree.
ALTER TABLE report DROP COLUMN location_verified;
ALTER TABLE report ADD COLUMN location_verified boolean
    GENERATED ALWAYS AS (location_precision IN ('exact', 'placed')) STORED;

ALTER TABLE spot ADD COLUMN location_precision text NOT NULL DEFAULT 'exact'
    CONSTRAINT spot_location_precision CHECK (location_precision IN ('exact', 'placed', 'address', 'neighbourhood'));
-- A spot is as precise as its best report; a spot already past stage 1 was placed by the GIS office.
UPDATE spot s SET location_precision = CASE WHEN s.stage > 1 THEN 'placed' ELSE b.precision END
FROM (
    SELECT r.spot_id, CASE WHEN bool_or(r.location_precision = 'exact') THEN 'exact'
                           WHEN bool_or(r.location_precision = 'address') THEN 'address'
                           ELSE 'neighbourhood' END AS precision
    FROM report r WHERE r.spot_id IS NOT NULL GROUP BY r.spot_id
) b
WHERE b.spot_id = s.id AND b.precision <> 'exact';
CREATE INDEX spot_unplaced_idx ON spot (area_id) WHERE location_precision IN ('address', 'neighbourhood');
