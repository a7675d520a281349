-- Benchmark seed, set-based: hot places per neighbourhood (weighted by area and by a skewed "liveliness"),
-- spots clustered around them, reports jittered within a few metres of their spot so they aggregate to it.
-- Parameters (psql-style, bound by bench code through format()): %(reports)s reports, %(spots)s spots.
SELECT setseed(0.22);

CREATE TEMP TABLE hood AS
SELECT id, geom, ST_Area(geom::geography) / 1e6 AS km2,
       -- a few neighbourhoods are much livelier than the rest (lognormal-ish weight)
       exp(2 * (random() + random() + random() - 1.5)) AS liveliness
FROM area WHERE level = 'neighbourhood';

CREATE TEMP TABLE hot AS
SELECT h.id AS area_id, (ST_Dump(ST_GeneratePoints(h.geom, greatest(1, round(h.km2 * h.liveliness * 3))::int,
                                                    h.id))).geom AS geom,
       h.liveliness
FROM hood h;
ALTER TABLE hot ADD COLUMN n serial;

-- Spots: each around a hot place picked with its liveliness as weight, offset by ~N(0, 250 m).
CREATE TEMP TABLE hot_cdf AS
SELECT n, geom, area_id,
       sum(liveliness) OVER (ORDER BY n) / sum(liveliness) OVER () AS upper
FROM hot;
CREATE INDEX ON hot_cdf (upper);

CREATE TEMP TABLE new_spot AS
SELECT i, (SELECT c.n FROM hot_cdf c WHERE c.upper >= u ORDER BY c.upper LIMIT 1) AS hot_n,
       random() AS r_cat, random() AS r_stage, random() AS r_status,
       sqrt(-2 * ln(1 - random())) AS radius, 2 * pi() * random() AS angle
FROM (SELECT i, random() AS u FROM generate_series(1, %(spots)s) i) q;

INSERT INTO spot (id, geom, category, stage, status, title, area_id, created_at, updated_at)
SELECT s.i,
       ST_SetSRID(ST_MakePoint(ST_X(c.geom) + 250 * s.radius * cos(s.angle) / (111320 * cos(radians(ST_Y(c.geom)))),
                               ST_Y(c.geom) + 250 * s.radius * sin(s.angle) / 111320), 4326),
       (ARRAY['poor_lighting', 'poor_lighting', 'poor_lighting', 'abandoned_building', 'vacant_lot',
              'underpass_bridge', 'park_corner', 'dead_end_alley', 'dead_end_alley', 'isolated_stop',
              'river_highway_margin', 'offender_gathering', 'other'])[1 + floor(s.r_cat * 13)::int],
       CASE WHEN s.r_stage < 0.4 THEN 1 WHEN s.r_stage < 0.7 THEN 2 WHEN s.r_stage < 0.9 THEN 3 ELSE 4 END,
       CASE WHEN s.r_status < 0.92 THEN 'open' WHEN s.r_status < 0.97 THEN 'resolved' ELSE 'rejected' END,
       'bench spot ' || s.i, c.area_id,
       now() - interval '730 days' * random(), now()
FROM new_spot s JOIN hot_cdf c ON c.n = s.hot_n;
SELECT setval(pg_get_serial_sequence('spot', 'id'), (SELECT max(id) FROM spot));

-- The neighbourhood a spot actually falls in (an offset may cross a boundary).
UPDATE spot s SET area_id = a.id
FROM area a
WHERE a.level = 'neighbourhood' AND ST_Intersects(a.geom, s.geom) AND a.id IS DISTINCT FROM s.area_id;

-- Reports: the first of each spot, then the rest skewed towards popular spots; within ~15 m of the spot.
INSERT INTO report (uuid, spot_id, source, geom, category, area_id, time_of_day, audit, reported_at, provenance)
SELECT gen_random_uuid(), s.id,
       (ARRAY['mayor', 'focus_group', 'hotline_137', 'hotline_137', 'field'])[1 + floor(random() * 5)::int],
       ST_SetSRID(ST_MakePoint(ST_X(s.geom) + (random() - 0.5) * 0.0003, ST_Y(s.geom) + (random() - 0.5) * 0.0003),
                  4326),
       s.category, s.area_id,
       (ARRAY['day', 'evening', 'night', NULL])[1 + floor(random() * 4)::int],
       CASE WHEN random() < 0.2 THEN jsonb_build_object('lighting', floor(random() * 4)::int,
                                                         'feeling', floor(random() * 4)::int) END,
       s.created_at + interval '1 day' * random() * 60, '{"bench": true}'
FROM (SELECT CASE WHEN i <= %(spots)s THEN i
                  ELSE 1 + floor(%(spots)s * power(random(), 1.5))::int END AS spot_id
      FROM generate_series(1, %(reports)s) i) r
JOIN spot s ON s.id = r.spot_id;

INSERT INTO spot_event (spot_id, kind, at, payload)
SELECT id, 'created', created_at, '{"bench": true}' FROM spot;
