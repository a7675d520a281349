-- Spots counted per grid cell for the low zooms' tiles (gis/publish/tiles.py): at each cell level 10–13 (a
-- tile of zoom z holds 16 × 16 cells of level z) how many spots of each stage and category lie in each cell,
-- and the sums of their Web Mercator coordinates (the cell's mean point). A staff tile at zoom 10 reads a few
-- thousand of these rows instead of 115,000 spots. Kept in the same transaction as every write to spot, by
-- the statement triggers below; merged spots are not counted. Only readers who see every spot at its true
-- place read it (gis/publish/tiles.py): the public's points are moved by the precision settings.

-- Web Mercator of a point by its formula (cheaper than a projection call per spot), and the index of the cell
-- of a coordinate at a cell level: 16 · 2^level cells across the world, counted from its west and south.
CREATE FUNCTION mercator_x(point geometry) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ST_X(point) * 111319.49079327357 $$;
CREATE FUNCTION mercator_y(point geometry) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ln(tan(radians(45 + ST_Y(point) / 2))) * 6378137.0 $$;
CREATE FUNCTION cell_index(coordinate float8, level int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor((coordinate + 20037508.342789244) * (16 * 2 ^ level) / 40075016.68557849)::int $$;
-- The point a spot is counted at: itself, or a point on its line or polygon.
CREATE FUNCTION cell_point(geom geometry) RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN GeometryType(geom) = 'POINT' THEN geom ELSE ST_PointOnSurface(geom) END $$;

CREATE TABLE spot_cell (
    level smallint NOT NULL,
    gx int NOT NULL,
    gy int NOT NULL,
    stage smallint NOT NULL,
    category text NOT NULL,
    n int NOT NULL,
    sx float8 NOT NULL,
    sy float8 NOT NULL,
    PRIMARY KEY (level, gx, gy, stage, category)
);
-- The cells a change emptied, found without reading the table.
CREATE INDEX spot_cell_empty ON spot_cell (level) WHERE n = 0;

-- Spots added to (sign 1) or taken from (sign -1) their cells at every level, in key order (two writers
-- touching the same cells lock them in the same order).
CREATE FUNCTION count_in_cells(geoms geometry[], stages smallint[], categories text[], signs int[])
RETURNS void LANGUAGE sql AS $$
    INSERT INTO spot_cell AS c
    SELECT l.level, cell_index(p.x, l.level), cell_index(p.y, l.level), p.stage, p.category,
           sum(p.sign), sum(p.sign * p.x), sum(p.sign * p.y)
    FROM (SELECT mercator_x(cell_point(g)) AS x, mercator_y(cell_point(g)) AS y, s AS stage, k AS category,
                 sign
          FROM unnest(geoms, stages, categories, signs) AS u(g, s, k, sign)) p,
         generate_series(10, 13) AS l(level)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (level, gx, gy, stage, category)
        DO UPDATE SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy;
    DELETE FROM spot_cell WHERE n = 0;
$$;

CREATE FUNCTION count_inserted_spots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_in_cells(array_agg(geom), array_agg(stage), array_agg(category), array_agg(1))
    FROM new_spots WHERE status <> 'merged';
    RETURN NULL;
END $$;

CREATE FUNCTION count_deleted_spots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_in_cells(array_agg(geom), array_agg(stage), array_agg(category), array_agg(-1))
    FROM old_spots WHERE status <> 'merged';
    RETURN NULL;
END $$;

-- Only the rows whose place, stage, category or merged state changed move between cells (a report counted
-- on a spot changes none of them).
CREATE FUNCTION count_updated_spots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_in_cells(array_agg(m.geom), array_agg(m.stage), array_agg(m.category), array_agg(m.sign))
    FROM (SELECT o.geom, o.stage, o.category, -1 AS sign, o.status AS status
          FROM old_spots o JOIN new_spots n USING (id)
          WHERE (o.geom, o.stage, o.category, o.status = 'merged')
                IS DISTINCT FROM (n.geom, n.stage, n.category, n.status = 'merged')
          UNION ALL
          SELECT n.geom, n.stage, n.category, 1, n.status
          FROM old_spots o JOIN new_spots n USING (id)
          WHERE (o.geom, o.stage, o.category, o.status = 'merged')
                IS DISTINCT FROM (n.geom, n.stage, n.category, n.status = 'merged')) m
    WHERE m.status <> 'merged';
    RETURN NULL;
END $$;

CREATE FUNCTION empty_spot_cells() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE spot_cell;
    RETURN NULL;
END $$;

CREATE TRIGGER spot_cells_insert AFTER INSERT ON spot REFERENCING NEW TABLE AS new_spots
    FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_spots();
CREATE TRIGGER spot_cells_delete AFTER DELETE ON spot REFERENCING OLD TABLE AS old_spots
    FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_spots();
CREATE TRIGGER spot_cells_update AFTER UPDATE ON spot REFERENCING OLD TABLE AS old_spots NEW TABLE AS new_spots
    FOR EACH STATEMENT EXECUTE FUNCTION count_updated_spots();
CREATE TRIGGER spot_cells_truncate AFTER TRUNCATE ON spot
    FOR EACH STATEMENT EXECUTE FUNCTION empty_spot_cells();

SELECT count_in_cells(array_agg(geom), array_agg(stage), array_agg(category), array_agg(1))
FROM spot WHERE status <> 'merged';
