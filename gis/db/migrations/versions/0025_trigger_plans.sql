-- The two statement triggers that join a statement's old rows to its new ones run that join through EXECUTE,
-- planned anew at each statement for its own number of rows. PL/pgSQL keeps a statement's plan for the
-- session: made at a connection's first one-row update (a nested loop over the two transition tables), it
-- was used again for the next large one, whose rows then met each other in pairs. A rebuild's merge of 50,000
-- spots ran for more than nine minutes after a one-row update of a spot in the same transaction; 4,000 spots
-- took 3.2 s instead of 0.42 s. The statements are the same as migrations 0023 and 0024 wrote.

CREATE OR REPLACE FUNCTION count_updated_spots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$
        SELECT count_in_cells(array_agg(m.geom), array_agg(m.stage), array_agg(m.category), array_agg(m.sign))
        FROM (SELECT o.geom, o.stage, o.category, -1 AS sign, o.status AS status
              FROM old_spots o JOIN new_spots n USING (id)
              WHERE (o.geom, o.stage, o.category, o.status = 'merged')
                    IS DISTINCT FROM (n.geom, n.stage, n.category, n.status = 'merged')
              UNION ALL
              SELECT n.geom, n.stage, n.category, 1, n.status
              FROM old_spots o JOIN new_spots n USING (id)
              WHERE (o.geom, o.stage, o.category, o.status = 'merged')
                    IS DISTINCT FROM (n.geom, n.stage, n.category, n.status = 'merged')) m
        WHERE m.status <> 'merged'
    $sql$;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION awaiting_location_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE $sql$
        SELECT keep_awaiting_location(array_agg(m.spot_id))
        FROM (SELECT o.spot_id, n.spot_id AS new_spot, o.location_verified AS old_verified,
                     n.location_verified AS new_verified
              FROM old_reports o JOIN new_reports n USING (id)
              WHERE (o.spot_id, o.location_verified) IS DISTINCT FROM (n.spot_id, n.location_verified)) c,
             LATERAL (VALUES (CASE WHEN NOT c.old_verified THEN c.spot_id END),
                             (CASE WHEN NOT c.new_verified THEN c.new_spot END)) AS m(spot_id)
        WHERE m.spot_id IS NOT NULL
    $sql$;
    RETURN NULL;
END $$;
